"""Missing cheribuild, QEMU or image: named, with a fix, and exit 3."""

import tempfile
import unittest
from pathlib import Path

from morello_run import options, prereqs

from .support import REPO, TempDirTest, write_exe


def elf_header(purecap):
    """The first 64 bytes of a 64-bit little-endian aarch64 ELF file."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    flags = 0x10000 if purecap else 0
    header[48:52] = flags.to_bytes(4, "little")
    return bytes(header)


class TestSysroot(TempDirTest):
    """Which sysroot layouts each target's link accepts."""

    def requirement(self, target, *files, libc7=None):
        root = Path(tempfile.mkdtemp(dir=self.tmp, prefix="rootfs-"))
        for relative in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text("GROUP ( libc.so.7 )\n")
        if libc7 is not None:
            (root / "lib").mkdir(parents=True, exist_ok=True)
            (root / "lib/libc.so.7").write_bytes(elf_header(libc7))
        s = options.parse_args(["--target", target, "--sysroot", str(root)], REPO, {})
        return prereqs._sysroot_requirement(s)

    def test_sysroot_hybrid_on_purecap_rootfs(self):
        req = self.requirement("hybrid", "usr/lib/libc.so", "usr/lib64/libc.so",
                               libc7=True)
        self.assertEqual(req.state, prereqs.OK)
        self.assertTrue(req.where.endswith("usr/lib64/libc.so"), req.where)

    def test_sysroot_hybrid_on_hybrid_rootfs(self):
        # README's tip: --sysroot at rootfs-morello-hybrid, libc in usr/lib.
        req = self.requirement("hybrid", "usr/lib/libc.so", libc7=False)
        self.assertEqual(req.state, prereqs.OK, req)
        self.assertTrue(req.where.endswith("usr/lib/libc.so"), req.where)

    def test_sysroot_hybrid_refuses_purecap_usr_lib_alone(self):
        req = self.requirement("hybrid", "usr/lib/libc.so", libc7=True)
        self.assertEqual(req.state, prereqs.MISSING)
        self.assertIn("usr/lib is purecap and there is no usr/lib64", req.where)
        self.assertIn("cheribsd-morello-hybrid", req.fix)

    def test_sysroot_hybrid_missing(self):
        req = self.requirement("hybrid")
        self.assertEqual(req.state, prereqs.MISSING)
        self.assertIn("usr/lib64/libc.so, or ", req.where)
        self.assertIn("--sysroot", req.fix)

    def test_sysroot_purecap_needs_usr_lib(self):
        self.assertEqual(self.requirement("purecap", "usr/lib/libc.so").state, prereqs.OK)
        self.assertEqual(self.requirement("purecap", "usr/lib64/libc.so").state,
                         prereqs.MISSING)


class TestMissing(TempDirTest):
    def run_real(self, *extra):
        return self.run_cli("--target", "purecap", "--cheri-root", self.tmp / "cheri",
                            "--target-dir", self.tmp / "target", *extra)

    def test_everything_missing(self):
        done = self.run_real()
        self.assertEqual(done.returncode, options.EXIT_MISSING, done.stderr)
        err = done.stderr
        cheri = self.tmp / "cheri"
        self.assertIn(f"missing: cheribuild (run_simple_tests.py) "
                      f"({cheri}/cheribuild/test-scripts/run_simple_tests.py)", err)
        self.assertIn("git clone https://github.com/CTSRD-CHERI/cheribuild.git", err)
        self.assertIn(f"missing: CHERI QEMU (qemu-system-morello) "
                      f"({cheri}/output/sdk/bin/qemu-system-morello)", err)
        self.assertIn(f"{cheri}/cheribuild/cheribuild.py qemu", err)
        self.assertIn(f"missing: CheriBSD disk image ({cheri}/output/"
                      "cheribsd-morello-purecap.img)", err)
        self.assertIn("cheribuild.py -d disk-image-morello-purecap", err)
        self.assertIn("missing: Morello LLVM", err)
        self.assertIn("cheribuild.py morello-llvm-native", err)
        # It stopped before the build: nothing was written.
        self.assertNotIn("==> step 2/5", done.stdout)
        self.assertFalse((self.tmp / "target").exists())

    def test_only_the_image_missing(self):
        cheri = self.tmp / "cheri"
        write_exe(cheri / "cheribuild/test-scripts/run_simple_tests.py", "#!/bin/sh\n")
        # A QEMU stand-in that offers virtio-9p, so no smbd is needed.
        write_exe(cheri / "output/sdk/bin/qemu-system-morello",
                  "#!/bin/sh\necho 'name \"virtio-9p-pci\", bus PCI'\n")
        done = self.run_real("--no-build")
        self.assertEqual(done.returncode, options.EXIT_MISSING, done.stderr)
        self.assertIn("missing: CheriBSD disk image", done.stderr)
        self.assertNotIn("missing: CHERI QEMU", done.stderr)
        self.assertNotIn("missing: cheribuild", done.stderr)
        self.assertNotIn("missing: a way to share", done.stderr)
        self.assertIn("ok        CHERI QEMU", done.stdout)

    def test_ssh_guest_not_answering(self):
        path, log = self.fake_ssh_path()
        env = self.clean_env(PATH=path, FAKE_SSH_LOG=log, FAKE_SSH_FAIL=1)
        done = self.run_cli("--target", "hybrid", "--mode", "ssh", "--no-build",
                            "--target-dir", self.tmp / "target", env=env)
        self.assertEqual(done.returncode, options.EXIT_MISSING, done.stderr)
        self.assertIn("missing: a running guest (root@localhost port 10022)", done.stderr)
        self.assertIn("run-morello-purecap --run/ssh-forwarding-port=10022", done.stderr)
        self.assertIn("ConnectTimeout=15", log.read_text())


if __name__ == "__main__":
    unittest.main()
