"""morello/bin/morello-cc, run against a stand-in SDK and sysroot."""

import subprocess
import unittest

from .support import MORELLO, TempDirTest, write_exe

WRAPPER = MORELLO / "bin" / "morello-cc"


class TestMorelloCc(TempDirTest):
    def setUp(self):
        super().setUp()
        self.sdk = self.tmp / "sdk"
        self.sysroot = self.tmp / "rootfs"
        # A clang that prints its arguments, one per line.
        write_exe(self.sdk / "bin/clang", "#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
        (self.sysroot / "usr/lib").mkdir(parents=True)
        (self.sysroot / "usr/lib64").mkdir(parents=True)

    def link(self, *args, **env):
        paths = {"COLAUNCH_MORELLO_SDK": self.sdk, "COLAUNCH_MORELLO_SYSROOT": self.sysroot}
        full = self.clean_env(**dict(paths, **env))
        return subprocess.run([str(WRAPPER), *args], env=full, capture_output=True,
                              text=True, timeout=30, check=False)

    def test_purecap_link(self):
        done = self.link("-march=morello+c64", "-mabi=purecap", "a.o", "-o", "out")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), [
            "-target", "aarch64-unknown-freebsd", f"--sysroot={self.sysroot}",
            f"-B{self.sdk}/bin", "-fuse-ld=lld",
            "-march=morello+c64", "-mabi=purecap", "a.o", "-o", "out"])

    def test_hybrid_link_uses_lib64(self):
        done = self.link("-march=morello", "-mabi=aapcs", "a b.o")
        self.assertEqual(done.returncode, 0, done.stderr)
        args = done.stdout.splitlines()
        lib64 = f"{self.sysroot}/usr/lib64"
        self.assertEqual(args[5:], [f"-B{lib64}", f"-L{lib64}", "-march=morello",
                                    "-mabi=aapcs", "a b.o"])

    def test_default_paths_follow_cheri_root(self):
        root = self.tmp / "cheri"
        write_exe(root / "output/morello-sdk/bin/clang", "#!/bin/sh\necho \"$@\"\n")
        (root / "output/rootfs-morello-purecap/usr/lib").mkdir(parents=True)
        env = self.clean_env(COLAUNCH_CHERI_ROOT=root)
        done = subprocess.run([str(WRAPPER), "-mabi=purecap"], env=env, capture_output=True,
                              text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"--sysroot={root}/output/rootfs-morello-purecap", done.stdout)

    def test_missing_abi_flag_is_an_error(self):
        done = self.link("a.o")
        self.assertEqual(done.returncode, 1)
        self.assertIn("RUSTFLAGS", done.stderr)
        self.assertEqual(done.stdout, "")

    def test_missing_sdk_names_the_fix(self):
        done = self.link("-mabi=purecap", COLAUNCH_MORELLO_SDK=self.tmp / "none")
        self.assertEqual(done.returncode, 1)
        self.assertIn("morello-llvm-native", done.stderr)
        self.assertIn("COLAUNCH_MORELLO_SDK", done.stderr)

    def test_missing_sysroot_names_the_fix(self):
        done = self.link("-mabi=purecap", COLAUNCH_MORELLO_SYSROOT=self.tmp / "none")
        self.assertEqual(done.returncode, 1)
        self.assertIn("cheribsd-morello-purecap", done.stderr)


if __name__ == "__main__":
    unittest.main()
