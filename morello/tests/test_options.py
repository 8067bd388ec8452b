"""Argument handling: good arguments resolve, bad ones name the option."""

import contextlib
import io
import os
import subprocess
import sys
import unittest
from pathlib import Path

from morello_run import options

from .support import REPO, RUN_TESTS, TempDirTest


def parse_error(argv, env=None):
    """Parse argv expecting failure; return (exit status, stderr text)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            options.parse_args(argv, REPO, env or {})
        except SystemExit as stop:
            return stop.code, err.getvalue()
    raise AssertionError(f"{argv} parsed without error")


class TestParse(unittest.TestCase):
    def test_parse_purecap_defaults(self):
        s = options.parse_args(["--target", "purecap", "--cheri-root", "/c"], REPO, {})
        self.assertEqual(s.target.triple, "aarch64-unknown-freebsd-purecap")
        self.assertEqual(s.toolchain, "morello")
        self.assertTrue(s.ignore_rust_version)
        self.assertFalse(s.target.build_std)
        self.assertEqual(s.mode, "image")
        self.assertEqual(s.qemu, Path("/c/output/sdk/bin/qemu-system-morello"))
        self.assertEqual(s.disk_image, Path("/c/output/cheribsd-morello-purecap.img"))
        self.assertEqual(s.cheribuild, Path("/c/cheribuild"))
        self.assertEqual(s.sysroot, Path("/c/output/rootfs-morello-purecap"))
        self.assertEqual(s.build_dir, REPO / "target/aarch64-unknown-freebsd-purecap/debug")
        self.assertEqual(s.guest_dir, s.build_dir)
        self.assertEqual(s.junit, s.build_dir / "morello-run/junit.xml")
        self.assertEqual(s.ssh_port, 10022)

    def test_parse_hybrid_overrides(self):
        argv = ["--target", "hybrid", "--mode", "ssh", "--ssh", "me@guest", "--ssh-port",
                "2222", "--toolchain", "", "--release", "--target-dir", "/t",
                "--cargo", "/opt/cargo --verbose", "--timeout", "30", "--colocate", "never",
                "--", "--test-threads=1", "--nocapture"]
        s = options.parse_args(argv, REPO, {})
        self.assertEqual(s.target.triple, "aarch64-unknown-freebsd")
        self.assertTrue(s.target.build_std)
        self.assertFalse(s.ignore_rust_version)
        self.assertEqual((s.mode, s.ssh, s.ssh_port), ("ssh", "me@guest", 2222))
        self.assertEqual(s.toolchain, "")
        self.assertEqual(s.build_dir, Path("/t/aarch64-unknown-freebsd/release"))
        self.assertEqual(s.cargo, ["/opt/cargo", "--verbose"])
        self.assertEqual(s.timeout, 30)
        self.assertEqual(s.colocate, "never")
        self.assertEqual(s.test_args, ["--test-threads=1", "--nocapture"])

    def test_parse_environment_defaults(self):
        env = {"COLAUNCH_CHERI_ROOT": "/cr", "COLAUNCH_MORELLO_SSH": "u@h",
               "COLAUNCH_MORELLO_SSH_PORT": "4444", "COLAUNCH_CHERIBUILD": "/cb"}
        s = options.parse_args(["--target", "purecap", "--mode", "ssh"], REPO, env)
        self.assertEqual(s.cheri_root, Path("/cr"))
        self.assertEqual(s.cheribuild, Path("/cb"))
        self.assertEqual((s.ssh, s.ssh_port), ("u@h", 4444))

    def test_parse_cargo_target_dir(self):
        env = {"CARGO_TARGET_DIR": "/ct"}
        s = options.parse_args(["--target", "purecap"], REPO, env)
        self.assertEqual(s.target_dir, Path("/ct"))
        self.assertEqual(s.junit, Path("/ct/aarch64-unknown-freebsd-purecap/debug/"
                                       "morello-run/junit.xml"))
        # --target-dir wins; a relative value is taken from the current dir.
        s = options.parse_args(["--target", "purecap", "--target-dir", "/td"], REPO, env)
        self.assertEqual(s.target_dir, Path("/td"))
        s = options.parse_args(["--target", "purecap"], REPO, {"CARGO_TARGET_DIR": "rel"})
        self.assertEqual(s.target_dir, Path.cwd() / "rel")

    def test_parse_ignore_rust_version_flags(self):
        s = options.parse_args(["--target", "hybrid", "--ignore-rust-version"], REPO, {})
        self.assertTrue(s.ignore_rust_version)
        s = options.parse_args(["--target", "purecap", "--no-ignore-rust-version"], REPO, {})
        self.assertFalse(s.ignore_rust_version)


class TestParseErrors(unittest.TestCase):
    def assert_error(self, argv, *needles, env=None):
        code, err = parse_error(argv, env)
        self.assertEqual(code, options.EXIT_USAGE, err)
        for needle in needles:
            self.assertIn(needle, err)

    def test_missing_target(self):
        self.assert_error([], "--target")

    def test_bad_target(self):
        self.assert_error(["--target", "mips"], "--target", "'mips'")

    def test_unknown_option(self):
        self.assert_error(["--target", "purecap", "--frobnicate"], "--frobnicate")

    def test_bad_port(self):
        self.assert_error(["--target", "purecap", "--ssh-port", "abc"], "--ssh-port", "'abc'")
        self.assert_error(["--target", "purecap", "--ssh-port", "70000"], "--ssh-port", "70000")

    def test_bad_timeout(self):
        self.assert_error(["--target", "purecap", "--timeout", "0"], "--timeout")
        self.assert_error(["--target", "purecap", "--timeout", "1.5"], "--timeout")

    def test_bad_mode_and_colocate(self):
        self.assert_error(["--target", "purecap", "--mode", "fvp"], "--mode", "'fvp'")
        self.assert_error(["--target", "purecap", "--colocate", "yes"], "--colocate")

    def test_conflicting_rust_version_flags(self):
        self.assert_error(["--target", "purecap", "--ignore-rust-version",
                           "--no-ignore-rust-version"], "--no-ignore-rust-version")

    def test_empty_cargo(self):
        self.assert_error(["--target", "purecap", "--cargo", ""], "--cargo")

    def test_runner_not_first(self):
        self.assert_error(["--target", "purecap", "--runner"], "--runner")

    def test_bad_port_in_environment(self):
        # A usage error (exit 2) naming the variable, once the port is used.
        env = {"COLAUNCH_MORELLO_SSH_PORT": "x"}
        self.assert_error(["--target", "purecap", "--mode", "ssh"],
                          "environment variable COLAUNCH_MORELLO_SSH_PORT", "'x'", env=env)
        env = {"COLAUNCH_MORELLO_SSH_PORT": "0"}
        self.assert_error(["--target", "hybrid", "--mode", "ssh"],
                          "COLAUNCH_MORELLO_SSH_PORT", "out of range", env=env)

    def test_bad_port_in_environment_unused(self):
        env = {"COLAUNCH_MORELLO_SSH_PORT": "x"}
        # --ssh-port overrides it, and image mode does not use it at all.
        s = options.parse_args(["--target", "purecap", "--mode", "ssh", "--ssh-port", "2222"],
                               REPO, env)
        self.assertEqual(s.ssh_port, 2222)
        s = options.parse_args(["--target", "purecap"], REPO, env)
        self.assertEqual(s.mode, "image")
        r = options.parse_runner_args(["--ssh-port", "2223", "/b/deps/t-1"], env)
        self.assertEqual(r.ssh_port, 2223)

    def test_bad_port_in_environment_runner(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as stop:
            options.parse_runner_args(["/b/deps/t-1"], {"COLAUNCH_MORELLO_SSH_PORT": "x"})
        self.assertEqual(stop.exception.code, options.EXIT_USAGE)
        self.assertIn("COLAUNCH_MORELLO_SSH_PORT", err.getvalue())

    def test_repeated_target_or_mode(self):
        self.assert_error(["--target", "purecap", "--target", "hybrid"],
                          "--target", "more than once", "purecap, then hybrid")
        self.assert_error(["--target", "purecap", "--mode", "ssh", "--mode", "image"],
                          "--mode", "more than once")

    def test_ssh_options_refused_in_image_mode(self):
        for argv in (["--ssh", "u@h"], ["--ssh-port", "2222"], ["--ssh-key", "/k"],
                     ["--guest-dir", "/g"]):
            self.assert_error(["--target", "purecap", *argv], argv[0], "--mode ssh")

    def test_ssh_environment_ignored_in_image_mode(self):
        env = {"COLAUNCH_MORELLO_SSH": "u@h", "COLAUNCH_MORELLO_SSH_KEY": "/k"}
        s = options.parse_args(["--target", "purecap"], REPO, env)
        self.assertEqual(s.mode, "image")


class TestRunnerArgs(unittest.TestCase):
    def test_runner_args_after_binary_go_to_it(self):
        r = options.parse_runner_args(
            ["--ssh-port", "2222", "/b/deps/t-1", "--ssh-port", "9", "--nocapture"], {})
        self.assertEqual(r.binary, Path("/b/deps/t-1"))
        self.assertEqual(r.ssh_port, 2222)
        self.assertEqual(r.args, ["--ssh-port", "9", "--nocapture"])

    def test_runner_needs_binary(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as stop:
            options.parse_runner_args(["--ssh-port", "22"], {})
        self.assertEqual(stop.exception.code, options.EXIT_USAGE)
        self.assertIn("BINARY", err.getvalue())


class TestHelp(TempDirTest):
    def test_help_documents_every_option(self):
        done = self.run_cli("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        for action in options.build_parser({})._actions:
            for flag in action.option_strings:
                self.assertIn(flag, done.stdout)
            if action.option_strings:
                self.assertTrue(action.help, f"{action.option_strings} has no help")
        for step in ("check", "build", "stage", "run", "report"):
            self.assertIn(step, done.stdout)
        self.assertIn("exit status", done.stdout)

    def test_runner_help_documents_every_option(self):
        done = self.run_cli("--runner", "--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        for action in options.build_runner_parser({})._actions:
            for flag in action.option_strings:
                self.assertIn(flag, done.stdout)

    def test_help_ignores_bad_environment(self):
        env = self.clean_env(COLAUNCH_MORELLO_SSH_PORT="x")
        for argv in (["--help"], ["--runner", "--help"]):
            done = self.run_cli(*argv, env=env)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stderr, "")

    def test_cli_bad_environment_exits_2(self):
        env = self.clean_env(COLAUNCH_MORELLO_SSH_PORT="x")
        done = self.run_cli("--target", "hybrid", "--mode", "ssh", "--dry-run", env=env)
        self.assertEqual(done.returncode, options.EXIT_USAGE, done.stderr)
        self.assertIn("COLAUNCH_MORELLO_SSH_PORT", done.stderr)

    def test_closed_stdout_is_quiet(self):
        # `run-tests ... | head`: the reader is gone before the output ends.
        for argv in (["--help"], ["--target", "purecap", "--dry-run",
                                  "--target-dir", self.tmp / "target"]):
            read, write = os.pipe()
            os.close(read)
            with os.fdopen(write, "w") as closed:
                done = subprocess.run([sys.executable, str(RUN_TESTS), *map(str, argv)],
                                      cwd=REPO, env=self.clean_env(), stdout=closed,
                                      stderr=subprocess.PIPE, text=True, timeout=120,
                                      check=False)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn("Traceback", done.stderr)
            self.assertEqual(done.stderr, "")

    def test_cli_bad_option_exits_2(self):
        done = self.run_cli("--target", "purecap", "--bogus-flag")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--bogus-flag", done.stderr)
        self.assertEqual(done.stdout, "")
