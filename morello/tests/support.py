"""Helpers shared by the tests: paths, temporary trees, fake programs."""

import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

MORELLO = Path(__file__).resolve().parents[1]
REPO = MORELLO.parent
RUN_TESTS = MORELLO / "run-tests"

# An ssh stand-in: it skips the options our code passes, then runs the
# remote command with the local sh, so the ssh transport can be exercised
# without a guest. Each call is logged for the tests to inspect.
FAKE_SSH = """\
#!/usr/bin/env python3
import os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_SSH_LOG"], "a") as log:
    log.write(repr(args) + "\\n")
if os.environ.get("FAKE_SSH_FAIL"):
    sys.exit(255)
while args and args[0].startswith("-"):
    flag = args.pop(0)
    if flag in ("-p", "-o", "-i"):
        args.pop(0)
host = args.pop(0)
# Like sshd, start the remote command with a bare environment.
env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
sys.exit(subprocess.run(["sh", "-c", " ".join(args)], env=env).returncode)
"""


def write_exe(path, text):
    """Write an executable file, creating its directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary directory in self.tmp."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="morello-kit-")
        self.tmp = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def clean_env(self, **extra):
        """The environment with the kit's variables removed, plus `extra`."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("COLAUNCH_") and k not in ("RUSTFLAGS",)}
        env["HOME"] = str(self.tmp / "home")
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run_cli(self, *args, env=None, cwd=REPO):
        """Run morello/run-tests and return the CompletedProcess."""
        return subprocess.run([sys.executable, str(RUN_TESTS), *map(str, args)],
                              cwd=cwd, env=env or self.clean_env(), capture_output=True,
                              text=True, timeout=120, check=False)

    def fake_ssh_path(self):
        """A PATH with the fake ssh first, and the log file it writes to."""
        bindir = self.tmp / "fakebin"
        write_exe(bindir / "ssh", FAKE_SSH)
        log = self.tmp / "ssh.log"
        return f"{bindir}{os.pathsep}{os.environ['PATH']}", log
