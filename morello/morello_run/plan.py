"""The five steps of a test run, each printed before it runs.

A dry run walks the same steps and prints the same commands, but runs
none of them and writes no file, so CI can check the plan for both targets
on a machine with no Morello tools at all.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from . import cargo, guest, junit, prereqs, report
from .options import (EXIT_BUILD, EXIT_GUEST, EXIT_MISSING, EXIT_OK, EXIT_TESTS_FAILED)

STEPS = (
    ("check", "look for the tools this run needs"),
    ("build", "build colaunch and its test binaries"),
    ("stage", "write the guest script and its inputs into the build dir"),
    ("run", "run the guest script in a QEMU-Morello guest"),
    ("report", "print a summary per binary and write JUnit XML"),
)


def silence_stdout():
    """Point file descriptor 1 at /dev/null after its reader went away.

    Later writes, those of programs started afterwards, and Python's own
    flush at exit then go nowhere instead of failing with EPIPE.
    """
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


class Plan:
    """One test run; `execute` walks its steps and returns an exit status."""

    def __init__(self, settings, out=None, err=None):
        self.s = settings
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.binaries = []
        self.harness_status = 0
        self.final_status = EXIT_OK
        self.out_closed = False

    def say(self, text=""):
        """Print progress on stdout, flushed so it interleaves with cargo's.

        When whoever reads stdout goes away (`run-tests ... | head`), the
        rest of the progress is dropped and the run goes on, so its exit
        status still says how the tests went.
        """
        if self.out_closed:
            return
        try:
            print(text, file=self.out, flush=True)
        except BrokenPipeError:
            self.out_closed = True
            if self.out is sys.stdout:
                silence_stdout()

    def show(self, cmd, env=None):
        """Print one command as a shell line, with its extra variables."""
        prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        line = shlex.join(str(c) for c in cmd) if isinstance(cmd, list) else cmd
        self.say("  $ " + (prefix + " " if prefix else "") + line)

    def step(self, index):
        """Print the header of step `index` (0-based)."""
        name, what = STEPS[index]
        self.say(f"==> step {index + 1}/{len(STEPS)} {name}: {what}")

    def execute(self):
        """Run (or, for a dry run, print) every step in order."""
        s = self.s
        self.say(f"run-tests: target {s.target.name} ({s.target.triple}), "
                 f"guest by {'disk image' if s.mode == 'image' else 'ssh'}"
                 + (", DRY RUN" if s.dry_run else ""))
        for index, method in enumerate((self.check, self.build, self.stage, self.run,
                                        self.report)):
            self.step(index)
            status = method()
            if status is not None:
                return status
        if s.dry_run:
            self.say("dry run: nothing was run and no file was written")
            return EXIT_OK
        return self.final_status

    # Step 1.
    def check(self):
        """Report each requirement; a real run stops if one is missing."""
        found = prereqs.check(self.s)
        for req in found:
            self.say(f"  {req.state:<9} {req.what}: {req.where}")
            if req.state == prereqs.MISSING:
                self.say(f"            get it: {req.fix}")
            elif req.state == prereqs.UNCHECKED:
                self.say("            (this check runs a program, which a dry run does not)")
        missing = [r for r in found if r.state == prereqs.MISSING]
        if missing and not self.s.dry_run:
            for req in missing:
                print(f"run-tests: missing: {req.what} ({req.where})\n"
                      f"  get it: {req.fix}", file=self.err)
            return EXIT_MISSING
        return None

    # Step 2.
    def build(self):
        """Run the cargo commands and collect the executables they name."""
        s = self.s
        manifest = s.stage_dir / "manifest.json"
        if s.no_build:
            self.say(f"  reuse the binaries listed in {manifest}")
            if s.dry_run:
                return None
            if not manifest.is_file():
                print(f"run-tests: missing: {manifest}\n  get it: run once without "
                      "--no-build", file=self.err)
                return EXIT_MISSING
            data = json.loads(manifest.read_text(encoding="utf-8"))
            self.binaries = [cargo.Binary(e["name"], s.build_dir / e["path"], e["test"])
                             for e in data["binaries"]]
            return None
        if s.target.name == "purecap":
            self.say("  note: expected to stop with compile errors until a CHERI Rust "
                     "fork reaches Rust 1.95 (morello/README.md, the Rust version gap)")
        env = cargo.environment(s)
        for cmd in cargo.build_commands(s):
            self.show(cmd, env)
            if s.dry_run:
                continue
            found, status = self._run_cargo(cmd, env)
            if status != 0:
                print(f"run-tests: build failed: {shlex.join(cmd)} exited with {status}",
                      file=self.err)
                return EXIT_BUILD
            known = {b.name for b in self.binaries}
            self.binaries += [b for b in found if b.name not in known]
        if s.dry_run:
            self.say("  the test binaries are the `executable` fields of cargo's "
                     "compiler-artifact messages whose profile.test is true")
            return None
        for binary in self.binaries:
            self.say(f"  built {'test' if binary.is_test else 'bin '} "
                     f"{binary.name}: {binary.path}")
        if not any(b.name == "colaunch" and not b.is_test for b in self.binaries):
            self.say("  warning: cargo named no colaunch binary; the smoke commands "
                     "will be reported missing")
        return None

    def _run_cargo(self, cmd, env):
        # stdout carries the JSON messages; diagnostics stay on stderr.
        full_env = dict(os.environ, **env)
        proc = subprocess.Popen(cmd, cwd=self.s.repo, env=full_env, stdout=subprocess.PIPE,
                                text=True)
        lines = list(proc.stdout)
        status = proc.wait()
        return cargo.parse_messages(lines), status

    # Step 3.
    def stage(self):
        """Write the guest script's inputs next to the binaries."""
        s = self.s
        for binary in self.binaries:
            # The guest reaches binaries by their place under the build dir.
            try:
                Path(binary.path).relative_to(s.build_dir)
            except ValueError:
                print(f"run-tests: cargo built {binary.path}, which is outside the build "
                      f"dir {s.build_dir}; the guest reaches binaries only below it. Is "
                      "the --cargo command changing the target dir?", file=self.err)
                return EXIT_BUILD
        for relative in (guest.SCRIPT_IN_GUEST, guest.STAGE + "/settings.sh",
                         guest.STAGE + "/tests.list", guest.STAGE + "/manifest.json"):
            self.say(f"  write {s.build_dir / relative}")
        self.say(f"    (copy of {s.repo / 'morello' / guest.SCRIPT})")
        self.say("  settings.sh:")
        for line in guest.settings_text(s).splitlines()[1:]:
            self.say("    " + line)
        if s.dry_run:
            self.say("  tests.list: one line per test binary from step 2: "
                     "name, path under the build dir, log file")
            return None
        guest.write_stage(s, self.binaries)
        return None

    # Step 4.
    def run(self):
        """Boot the image, or drive the running guest, to run the script."""
        if self.s.mode == "image":
            return self._run_image()
        return self._run_ssh()

    def harness_command(self):
        """The run_simple_tests.py command line for --mode image."""
        s = self.s
        tests = sum(1 for b in self.binaries if b.is_test) or 10
        # Room for every binary to hit its own limit and the KILL after it,
        # the smoke commands, and the boot itself, which takes minutes
        # under QEMU's emulation.
        limit = (tests + 3) * (s.timeout + guest.KILL_AFTER) + 900
        return [
            sys.executable, str(s.cheribuild / "test-scripts/run_simple_tests.py"),
            "--architecture", s.guest_arch,
            "--qemu-cmd", str(s.qemu),
            "--disk-image", str(s.disk_image),
            "--build-dir", str(s.build_dir),
            "--test-command", guest.GUEST_COMMAND,
            "--test-timeout", str(limit),
            "--qemu-logfile", str(s.stage_dir / "qemu.log"),
        ]

    def _run_image(self):
        cmd = self.harness_command()
        self.show(cmd)
        self.say("  (the guest mounts the build dir and runs, from it: "
                 f"{guest.GUEST_COMMAND})")
        if self.s.dry_run:
            return None
        self.harness_status = subprocess.run(cmd, check=False).returncode
        self.say(f"  run_simple_tests.py exited with {self.harness_status}")
        return None

    def _members(self):
        found = [str(Path(b.path).relative_to(self.s.build_dir)) for b in self.binaries]
        return found + [guest.STAGE]

    def _run_ssh(self):
        s = self.s
        base = guest.ssh_base(s.ssh, s.ssh_port, s.ssh_key)
        members = self._members() if not s.dry_run else ["<each binary from step 2>",
                                                         guest.STAGE]
        remote = f"cd {shlex.quote(str(s.guest_dir))} && {guest.GUEST_COMMAND}"
        self.say("  push the binaries and the stage dir:")
        self.show(guest.describe_push(base, s.build_dir, members, s.guest_dir))
        self.say("  run the guest script:")
        self.show(base + [remote])
        self.say("  fetch the results:")
        self.show(guest.describe_fetch(base, s.guest_dir, guest.STAGE, s.build_dir))
        if s.dry_run:
            return None
        status = guest.push(base, s.build_dir, members, s.guest_dir)
        if status == 0:
            status = subprocess.run(base + [remote], check=False).returncode
        # Fetch even after a failure: partial results say how far it got.
        fetched = guest.fetch(base, s.guest_dir, guest.STAGE, s.build_dir)
        self.harness_status = status or fetched
        if self.harness_status:
            self.say(f"  ssh exited with {self.harness_status}")
        return None

    # Step 5.
    def report(self):
        """Judge the results, print the table, write JUnit XML."""
        s = self.s
        self.say(f"  read {s.stage_dir / 'results.tsv'} and {s.stage_dir / 'logs'}/")
        self.say(f"  write {s.junit}")
        if s.dry_run:
            return None
        manifest, results = report.load(s.stage_dir)
        suites = report.build_suites(manifest, results, s.stage_dir, s.timeout)
        junit.write(suites, s.junit)
        self.say(report.summary(suites, results))
        self.say(f"JUnit XML: {s.junit}")
        if not results.complete:
            print("run-tests: the guest run did not finish; see "
                  f"{s.stage_dir / 'qemu.log'} or the output above", file=self.err)
            self.final_status = EXIT_GUEST
        elif not report.passed(suites):
            self.final_status = EXIT_TESTS_FAILED
        elif self.harness_status:
            print(f"run-tests: every result passed but the harness exited with "
                  f"{self.harness_status}; see the output above", file=self.err)
            self.final_status = EXIT_GUEST
        else:
            self.final_status = EXIT_OK
        return None
