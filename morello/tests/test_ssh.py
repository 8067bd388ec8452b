"""--mode ssh and the runner, through an ssh stand-in that runs locally.

The stand-in runs each remote command with this host's sh, in a separate
"guest" directory, so the tar transport, the remote command lines and the
exit statuses are exercised for real; only the network hop is faked.
"""

import ast
import io
import unittest
import xml.etree.ElementTree as ET

from morello_run import guest, options, runner

from . import fakes
from .support import REPO, TempDirTest, write_exe


class TestSshMode(TempDirTest):
    def test_ssh_mode_end_to_end(self):
        target_dir = self.tmp / "target"
        settings = options.parse_args(["--target", "hybrid", "--target-dir", str(target_dir)],
                                      REPO, {})
        # A previous build and stage, which --no-build reuses.
        guest.write_stage(settings, fakes.make_build_dir(settings.build_dir))
        path, log = self.fake_ssh_path()
        guest_dir = self.tmp / "guest" / "build"
        env = self.clean_env(PATH=path, FAKE_SSH_LOG=log)
        done = self.run_cli("--target", "hybrid", "--mode", "ssh", "--no-build",
                            "--target-dir", target_dir, "--guest-dir", guest_dir,
                            "--ssh", "root@guest", "--ssh-port", "2200", env=env)
        self.assertEqual(done.returncode, options.EXIT_TESTS_FAILED,
                         done.stdout + done.stderr)
        # The binaries reached the guest dir at their build-dir paths.
        self.assertTrue((guest_dir / "deps/status-2222").is_file())
        self.assertTrue((guest_dir / "colaunch").is_file())
        self.assertTrue((guest_dir / "morello-run/results.tsv").is_file())
        # And the results came back to the host's stage dir.
        root = ET.parse(settings.junit).getroot()
        self.assertEqual(root.get("failures"), "1")
        self.assertEqual(root.get("errors"), "0")
        self.assertRegex(done.stdout, r"test:status\s+FAILED")
        calls = [ast.literal_eval(line) for line in log.read_text().splitlines()]
        self.assertTrue(all(c[c.index("-p") + 1] == "2200" for c in calls))
        self.assertTrue(all("root@guest" in c for c in calls))
        self.assertEqual(len(calls), 4, "check, push, run, fetch")


# A cargo stand-in that puts its output where real cargo would: under
# --target-dir if given, else $CARGO_TARGET_DIR, else ./target. It writes
# the fake test binaries (or the fake CLI) and names them in JSON messages.
FAKE_CARGO = """\
#!/usr/bin/env python3
import json, os, stat, sys
args = sys.argv[1:]
def value(flag):
    return args[args.index(flag) + 1] if flag in args else None
top = value("--target-dir") or os.environ.get("CARGO_TARGET_DIR") or "target"
build = os.path.join(os.path.abspath(top), value("--target"), "debug")
items = {BUILD} if args[0] == "build" else {TESTS}
for name, kind, relative, test, body in items:
    path = os.path.join(build, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(body)
    os.chmod(path, 0o755)
    print(json.dumps({{"reason": "compiler-artifact", "executable": path,
                      "target": {{"name": name, "kind": [kind]}},
                      "profile": {{"test": test}}}}))
"""


class TestCargoTargetDir(TempDirTest):
    def test_ssh_mode_builds_into_cargo_target_dir(self):
        # With CARGO_TARGET_DIR set, build, stage, run and report must all
        # use it; the stage step used to stop with exit 4.
        tests = [("colaunch", "lib", "deps/colaunch-1111", True, fakes.PASS),
                 ("status", "test", "deps/status-2222", True, fakes.FAIL)]
        cli = [("colaunch", "bin", "colaunch", False,
                fakes.CLI.replace("{coexecve}", fakes.PROBE_ROWS["no"]))]
        cargo = write_exe(self.tmp / "fakebin/fake-cargo",
                          FAKE_CARGO.format(BUILD=repr(cli), TESTS=repr(tests)))
        sdk, rootfs = self.tmp / "sdk", self.tmp / "rootfs"
        write_exe(sdk / "bin/clang", "#!/bin/sh\n")
        (rootfs / "usr/lib64").mkdir(parents=True)
        (rootfs / "usr/lib64/libc.so").write_text("GROUP ( libc.so.7 )\n")
        path, log = self.fake_ssh_path()
        target_dir = self.tmp / "ct"
        env = self.clean_env(PATH=path, FAKE_SSH_LOG=log, CARGO_TARGET_DIR=target_dir)
        done = self.run_cli("--target", "hybrid", "--mode", "ssh", "--cargo", cargo,
                            "--toolchain", "", "--sdk", sdk, "--sysroot", rootfs,
                            "--guest-dir", self.tmp / "guest", env=env)
        self.assertEqual(done.returncode, options.EXIT_TESTS_FAILED,
                         done.stdout + done.stderr)
        build = target_dir / "aarch64-unknown-freebsd/debug"
        self.assertIn(f"--target-dir {target_dir}", done.stdout)
        root = ET.parse(build / "morello-run/junit.xml").getroot()
        self.assertEqual(root.get("failures"), "1")
        self.assertRegex(done.stdout, r"test:status\s+FAILED")


class TestRunner(TempDirTest):
    def setUp(self):
        super().setUp()
        self.build = self.tmp / "target" / "aarch64-unknown-freebsd" / "debug"
        self.binary = write_exe(self.build / "deps" / "spawn-abcd", """\
            #!/bin/sh
            printf 'arg=%s\\n' "$@"
            echo "backtrace=${RUST_BACKTRACE:-unset}"
            echo "port=${COLAUNCH_MORELLO_SSH_PORT:-unset}"
            exit 3
            """)
        write_exe(self.build / "colaunch", "#!/bin/sh\n")
        self.guest_dir = self.tmp / "guest"

    def test_runner_passes_status_and_args(self):
        path, log = self.fake_ssh_path()
        env = self.clean_env(PATH=path, FAKE_SSH_LOG=log, RUST_BACKTRACE=1,
                             COLAUNCH_MORELLO_SSH_PORT=2201)
        done = self.run_cli("--runner", "--guest-dir", self.guest_dir, self.binary,
                            "--exact", "two words", "--ssh", env=env)
        self.assertEqual(done.returncode, 3, done.stderr)
        self.assertIn("arg=--exact\narg=two words\narg=--ssh\n", done.stdout)
        self.assertIn("backtrace=1", done.stdout)
        # Host-only variables stay on the host.
        self.assertIn("port=unset", done.stdout)
        self.assertTrue((self.guest_dir / "deps/spawn-abcd").is_file())
        self.assertTrue((self.guest_dir / "colaunch").is_file())
        calls = [ast.literal_eval(line) for line in log.read_text().splitlines()]
        self.assertEqual(calls[0][:2], ["-p", "2201"])

    def test_runner_reports_unreachable_guest(self):
        path, log = self.fake_ssh_path()
        env = self.clean_env(PATH=path, FAKE_SSH_LOG=log, FAKE_SSH_FAIL=1)
        done = self.run_cli("--runner", self.binary, env=env)
        self.assertEqual(done.returncode, runner.SSH_FAILED)
        self.assertIn("is the guest running?", done.stderr)

    def test_runner_missing_binary(self):
        done = self.run_cli("--runner", self.tmp / "nope")
        self.assertEqual(done.returncode, options.EXIT_USAGE)
        self.assertIn("no such binary", done.stderr)

    def test_runner_dry_run(self):
        done = self.run_cli("--runner", "--dry-run", "--ssh-port", "2202", self.binary, "-q")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("ssh -p 2202", done.stdout)
        self.assertIn("deps/spawn-abcd colaunch", done.stdout)
        self.assertIn(f"{self.build}/deps/spawn-abcd -q; exit $?", done.stdout)

    def test_remote_command_links_host_path(self):
        cmd = runner.remote_command(self.binary, self.build, self.guest_dir, ["a b"],
                                    {"RUST_LOG": "x y"}, self.tmp)
        self.assertIn(f"ln -s {self.guest_dir} {self.build}", cmd)
        self.assertIn(f"env 'RUST_LOG=x y' {self.guest_dir}/deps/spawn-abcd 'a b'; exit $?",
                      cmd)

    def test_passed_env(self):
        chosen = runner.passed_env({"RUST_LOG": "1", "COLAUNCH_X": "2", "PATH": "/bin",
                                    "COLAUNCH_MORELLO_SSH": "h", "CARGO_MANIFEST_DIR": "/r",
                                    "COLAUNCH_CHERI_ROOT": "/c", "HOME": "/h"})
        self.assertEqual(chosen, {"CARGO_MANIFEST_DIR": "/r", "COLAUNCH_X": "2",
                                  "RUST_LOG": "1"})

    def test_build_dir_of(self):
        self.assertEqual(runner.build_dir_of(self.binary), self.build)
        self.assertEqual(runner.build_dir_of(self.build / "colaunch"), self.build)


class TestSshBase(unittest.TestCase):
    def test_ssh_base_with_key(self):
        base = guest.ssh_base("root@h", 22, "/k")
        self.assertEqual(base[:3], ["ssh", "-p", "22"])
        self.assertEqual(base[-3:], ["-i", "/k", "root@h"])
        self.assertIn("BatchMode=yes", base)

    def test_describe_push(self):
        text = guest.describe_push(["ssh", "h"], "/b d", ["deps/x"], "/g")
        self.assertEqual(text, "(python tarfile) tar -cf - -C '/b d' deps/x | "
                               "ssh h 'mkdir -p /g && tar -xf - -C /g'")


if __name__ == "__main__":
    unittest.main()
