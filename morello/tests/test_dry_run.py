"""The dry run CI calls: exit 0, every step named, nothing written."""

import unittest

from morello_run import plan

from .support import TempDirTest

STEP_NAMES = [name for name, _ in plan.STEPS]


class TestDryRun(TempDirTest):
    def dry_run(self, *extra):
        target_dir = self.tmp / "target"
        done = self.run_cli("--dry-run", "--target-dir", target_dir, *extra)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertFalse(target_dir.exists(), "a dry run must not write the build dir")
        return done.stdout

    def assert_steps(self, out):
        for index, name in enumerate(STEP_NAMES, start=1):
            self.assertIn(f"==> step {index}/{len(STEP_NAMES)} {name}:", out)
        self.assertIn("dry run: nothing was run and no file was written", out)

    def test_dry_run_purecap(self):
        out = self.dry_run("--target", "purecap")
        self.assert_steps(out)
        self.assertIn("cargo +morello test --workspace --no-run --target "
                      "aarch64-unknown-freebsd-purecap", out)
        self.assertIn("cargo +morello build --bin colaunch", out)
        self.assertIn("--ignore-rust-version", out)
        self.assertNotIn("-Zbuild-std", out)
        self.assertIn("run_simple_tests.py --architecture morello-purecap", out)
        self.assertIn("--test-command '/bin/sh ./morello-run/run-in-guest.sh'", out)
        self.assertIn("COLAUNCH_MORELLO_SYSROOT=", out)

    def test_dry_run_hybrid(self):
        out = self.dry_run("--target", "hybrid")
        self.assert_steps(out)
        self.assertIn("cargo +nightly test --workspace --no-run --target "
                      "aarch64-unknown-freebsd ", out)
        self.assertIn("-Zbuild-std", out)
        self.assertNotIn("--ignore-rust-version", out)

    def test_dry_run_reports_missing_tools_but_succeeds(self):
        out = self.dry_run("--target", "purecap", "--cheri-root", self.tmp / "nothing")
        self.assertIn("MISSING   CHERI QEMU", out)
        self.assertIn("cheribuild.py qemu", out)
        self.assertIn("MISSING   CheriBSD disk image", out)

    def test_dry_run_ssh_mode(self):
        out = self.dry_run("--target", "hybrid", "--mode", "ssh", "--ssh-port", "2200",
                           "--guest-dir", "/g")
        self.assert_steps(out)
        self.assertIn("ssh -p 2200", out)
        self.assertIn("'mkdir -p /g && tar -xf - -C /g'", out)
        self.assertIn("'cd /g && /bin/sh ./morello-run/run-in-guest.sh'", out)
        self.assertIn("'tar -cf - -C /g morello-run'", out)
        self.assertIn("unchecked", out)
        self.assertNotIn("run_simple_tests.py", out)

    def test_dry_run_test_args_reach_settings(self):
        out = self.dry_run("--target", "purecap", "--", "--test-threads=1", "a b")
        self.assertIn("TEST_ARGS='--test-threads=1 '\"'\"'a b'\"'\"''", out)


if __name__ == "__main__":
    unittest.main()
