"""What the guest sees: the staged files, and the ssh transport to it.

The guest script (morello/guest-tests.sh) is static; only its inputs are
written per run, so the dry run can show exactly what the guest would do.
Files travel over ssh as a tar stream made with Python's tarfile, so the
host needs no tar or scp, and the guest's own tar(1) unpacks it.
"""

import json
import re
import shlex
import shutil
import subprocess
import tarfile
from pathlib import Path

STAGE = "morello-run"
SCRIPT = "guest-tests.sh"
SCRIPT_IN_GUEST = STAGE + "/run-in-guest.sh"
GUEST_COMMAND = "/bin/sh ./" + SCRIPT_IN_GUEST

# Seconds between timeout(1)'s TERM at the limit and its KILL, for a test
# binary that does not stop on TERM.
KILL_AFTER = 10

# Smoke items and the text each one's output must contain to pass. The
# guest script runs them; the host judges them here.
SMOKE_EXPECT = {
    "probe": "",
    "spawn": "colaunch-smoke-spawn",
    "colocate": "colaunch-smoke-colocated",
}


def log_name(name):
    """A log file name for an item: SMB shares refuse `:` and friends."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".log"


def settings_text(settings):
    """The body of settings.sh, which the guest script sources."""
    values = {
        "HOST_BUILD_DIR": str(settings.build_dir),
        "TIMEOUT": str(settings.timeout),
        "KILL_AFTER": str(KILL_AFTER),
        "COLOCATE": settings.colocate,
        "TEST_ARGS": shlex.join(settings.test_args),
    }
    lines = ["# Written by morello/run-tests for one run; read by run-in-guest.sh."]
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def tests_list_text(binaries, build_dir):
    """The body of tests.list: name, path under the build dir, log name."""
    rows = []
    for binary in binaries:
        if not binary.is_test:
            continue
        relative = Path(binary.path).relative_to(build_dir)
        rows.append(f"{binary.name}\t{relative}\t{log_name(binary.name)}\n")
    return "".join(rows)


def manifest_text(binaries, build_dir):
    """The binary list kept for --no-build and for the report."""
    entries = [{
        "name": b.name,
        "path": str(Path(b.path).relative_to(build_dir)),
        "test": b.is_test,
    } for b in binaries]
    return json.dumps({"build_dir": str(build_dir), "binaries": entries}, indent=2) + "\n"


def stage_files(settings, binaries):
    """Map each staged file (relative to the build dir) to its content.

    The guest script is copied rather than referenced so that the build
    dir alone is enough in the guest.
    """
    script = (settings.repo / "morello" / SCRIPT).read_text(encoding="utf-8")
    return {
        SCRIPT_IN_GUEST: script,
        STAGE + "/settings.sh": settings_text(settings),
        STAGE + "/tests.list": tests_list_text(binaries, settings.build_dir),
        STAGE + "/manifest.json": manifest_text(binaries, settings.build_dir),
    }


def write_stage(settings, binaries):
    """Write the staged files, clearing the results of an earlier run."""
    stage = settings.stage_dir
    if stage.exists():
        for old in ("results.tsv", "logs", "junit.xml"):
            target = stage / old
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    for relative, content in stage_files(settings, binaries).items():
        path = settings.build_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def ssh_base(ssh, port, key):
    """The ssh command line up to the remote command.

    The guest is a throwaway QEMU machine whose host key changes with every
    image, so host key checking would only get in the way; BatchMode makes
    a missing key fail at once instead of prompting for a password.
    """
    cmd = ["ssh", "-p", str(port), "-o", "BatchMode=yes",
           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "LogLevel=ERROR"]
    if key:
        cmd += ["-i", key]
    return cmd + [ssh]


def push_command(base, guest_dir):
    """Remote half of a push: unpack the tar stream on stdin into guest_dir."""
    quoted = shlex.quote(str(guest_dir))
    return base + [f"mkdir -p {quoted} && tar -xf - -C {quoted}"]


def fetch_command(base, guest_dir, member):
    """Remote half of a fetch: send `member` of guest_dir as a tar stream."""
    return base + [f"tar -cf - -C {shlex.quote(str(guest_dir))} {shlex.quote(member)}"]


def describe_push(base, local_dir, members, guest_dir):
    """The shell equivalent of a push, for the dry run."""
    names = " ".join(shlex.quote(m) for m in members)
    return (f"(python tarfile) tar -cf - -C {shlex.quote(str(local_dir))} {names} | "
            + shlex.join(push_command(base, guest_dir)))


def describe_fetch(base, guest_dir, member, local_dir):
    """The shell equivalent of a fetch, for the dry run."""
    return (shlex.join(fetch_command(base, guest_dir, member))
            + f" | (python tarfile) tar -xf - -C {shlex.quote(str(local_dir))}")


def push(base, local_dir, members, guest_dir):
    """Copy `members` of local_dir to the same relative paths in guest_dir.

    Returns ssh's exit status.
    """
    proc = subprocess.Popen(push_command(base, guest_dir), stdin=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=proc.stdin, mode="w|") as archive:
            for member in members:
                archive.add(str(Path(local_dir) / member), arcname=member)
    except BrokenPipeError:
        # ssh gave up; its exit status below says why.
        pass
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    return proc.wait()


def fetch(base, guest_dir, member, local_dir):
    """Copy guest_dir/member back into local_dir. Returns ssh's exit status."""
    proc = subprocess.Popen(fetch_command(base, guest_dir, member), stdout=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for entry in archive:
                _extract(archive, entry, Path(local_dir))
    except tarfile.ReadError:
        # An empty stream: ssh failed before tar wrote anything.
        pass
    finally:
        proc.stdout.close()
    return proc.wait()


def _extract(archive, entry, local_dir):
    # The guest is trusted no further than tarfile's data filter allows: no
    # absolute paths, no escapes from local_dir, no links. Pythons before
    # 3.11.4 lack the filter, so the same checks are made by hand there.
    if hasattr(tarfile, "data_filter"):
        archive.extract(entry, path=str(local_dir), filter="data")
        return
    parts = Path(entry.name).parts
    if entry.name.startswith("/") or ".." in parts or not (entry.isfile() or entry.isdir()):
        raise tarfile.ExtractError(f"refusing guest archive member {entry.name!r}")
    archive.extract(entry, path=str(local_dir))
