"""Missing cheribuild, QEMU or image: named, with a fix, and exit 3."""

import unittest

from morello_run import options

from .support import TempDirTest, write_exe


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
