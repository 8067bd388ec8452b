"""`run-tests --runner`: run one cargo-built binary in a running guest.

Cargo calls a target's runner as `RUNNER... BINARY ARGS...`. The binary
and the colaunch CLI next to it are copied into the guest at the same
paths under the build dir, so CARGO_BIN_EXE_colaunch, an absolute host path
compiled into the integration tests, resolves there too.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from . import guest
from .options import EXIT_USAGE

# Variables worth passing to a test in the guest: libtest's and std's own,
# the few cargo sets for tests at run time, and the project's. The
# COLAUNCH_MORELLO_ and COLAUNCH_CHERI_ ones describe the host, not the guest.
_PASSED_NAMES = ("CARGO_MANIFEST_DIR", "CARGO_PKG_NAME", "CARGO_CRATE_NAME")
_HOST_ONLY = ("COLAUNCH_MORELLO_", "COLAUNCH_CHERI_")

# ssh's own status when the connection fails, which is what cargo then sees.
SSH_FAILED = 255


def build_dir_of(binary):
    """The build dir a cargo binary belongs to: test binaries are in deps/."""
    if binary.parent.name in ("deps", "examples"):
        return binary.parent.parent
    return binary.parent


def passed_env(env):
    """The subset of `env` that the binary sees in the guest."""
    chosen = {}
    for name, value in sorted(env.items()):
        if name.startswith(_HOST_ONLY):
            continue
        if name.startswith(("RUST_", "COLAUNCH_")) or name in _PASSED_NAMES:
            chosen[name] = value
    return chosen


def remote_command(binary, build_dir, guest_dir, args, env, cwd):
    """The shell command line the guest runs for one binary."""
    q = shlex.quote
    parts = []
    if guest_dir != build_dir:
        # Make the host's build dir path resolve (see the module docs).
        parts.append(f"[ -e {q(str(build_dir))} ] || {{ mkdir -p "
                     f"{q(str(build_dir.parent))} && ln -s {q(str(guest_dir))} "
                     f"{q(str(build_dir))}; }}")
    # cargo runs tests from the package root; use it where it exists.
    parts.append(f"cd {q(str(cwd))} 2>/dev/null || cd {q(str(guest_dir))}")
    program = guest_dir / binary.relative_to(build_dir)
    words = ["env"] + [f"{k}={v}" for k, v in env.items()] + [str(program)] + list(args)
    # Not the last command, so sh does not exec it and a signal still ends
    # as status 128+N here rather than as ssh's 255.
    parts.append(shlex.join(words) + "; exit $?")
    return "; ".join(parts)


def run(settings, out=None, err=None, env=None):
    """Copy, run, and return the binary's exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if env is None else env
    binary = settings.binary
    if not settings.dry_run and not binary.is_file():
        print(f"run-tests --runner: no such binary: {binary}", file=err)
        return EXIT_USAGE
    build_dir = build_dir_of(binary)
    guest_dir = settings.guest_dir or build_dir
    members = [str(binary.relative_to(build_dir))]
    cli = build_dir / "colaunch"
    if cli != binary and (cli.is_file() or settings.dry_run):
        members.append("colaunch")
    base = guest.ssh_base(settings.ssh, settings.ssh_port, settings.ssh_key)
    remote = remote_command(binary, build_dir, Path(guest_dir), settings.args,
                            passed_env(env), Path.cwd())
    if settings.dry_run:
        print("run-tests --runner: DRY RUN", file=out)
        print("  $ " + guest.describe_push(base, build_dir, members, guest_dir), file=out)
        print("  $ " + shlex.join(base + [remote]), file=out)
        return 0
    status = guest.push(base, build_dir, members, guest_dir)
    if status != 0:
        print(f"run-tests --runner: copying {binary.name} to {settings.ssh} port "
              f"{settings.ssh_port} failed (ssh exit status {status}); is the guest "
              "running? See morello/README.md", file=err)
        return SSH_FAILED
    return subprocess.run(base + [remote], check=False).returncode
