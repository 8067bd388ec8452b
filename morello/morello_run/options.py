"""The command line of `morello/run-tests`, for test runs and runner mode.

Parsing is kept apart from running so that the unit tests can feed it bad
arguments and check that each error names the option at fault.
"""

import argparse
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

# Exit statuses, shared by every mode. argparse already exits with 2 on a
# usage error, so the others start above it.
EXIT_OK = 0
EXIT_TESTS_FAILED = 1
EXIT_USAGE = 2
EXIT_MISSING = 3
EXIT_BUILD = 4
EXIT_GUEST = 5

# The defaults cheribuild uses when it is given no options (its source root
# is ~/cheri), and the port the README tells `run-morello-purecap` to forward.
DEFAULT_CHERI_ROOT = "~/cheri"
DEFAULT_SSH_HOST = "root@localhost"
DEFAULT_SSH_PORT = 10022
DEFAULT_TIMEOUT = 900

# The guest architecture names are keys of cheribuild's
# boot_cheribsd.SUPPORTED_ARCHITECTURES. A purecap kernel runs both purecap
# and aarch64 (hybrid ABI) programs, so one image serves both targets.
GUEST_ARCHITECTURES = ("morello-purecap", "morello-hybrid")


@dataclass(frozen=True)
class Target:
    """One way of building colaunch for Morello."""

    name: str
    triple: str
    toolchain: str
    build_std: bool
    ignore_rust_version: bool
    summary: str


# purecap: the University of Kent fork (kent-weak-memory/rust) calls its
# CheriBSD purecap target aarch64-unknown-freebsd-purecap. Its base release
# is older than this workspace's rust-version, hence ignore_rust_version.
# hybrid: upstream's tier 3 aarch64-unknown-freebsd has no prebuilt std, so
# nightly cargo builds one with -Zbuild-std.
TARGETS = {
    "purecap": Target(
        name="purecap",
        triple="aarch64-unknown-freebsd-purecap",
        toolchain="morello",
        build_std=False,
        ignore_rust_version=True,
        summary="CheriABI (purecap) with a CHERI Rust fork",
    ),
    "hybrid": Target(
        name="hybrid",
        triple="aarch64-unknown-freebsd",
        toolchain="nightly",
        build_std=True,
        ignore_rust_version=False,
        summary="aarch64 (hybrid ABI) with upstream nightly Rust",
    ),
}


def _port(text):
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 1-65535: {value}")
    return value


def _seconds(text):
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1 second: {value}")
    return value


def _ssh_port(parser, given, env):
    """The ssh port: --ssh-port, else COLAUNCH_MORELLO_SSH_PORT, else 10022.

    The variable is read only here, when the port is about to be used, so a
    bad value in it cannot break --help or a run that needs no ssh. It is a
    usage error like a bad option (exit 2), named as the variable.
    """
    if given is not None:
        return given
    text = env.get("COLAUNCH_MORELLO_SSH_PORT")
    if not text:
        return DEFAULT_SSH_PORT
    try:
        return _port(text)
    except argparse.ArgumentTypeError as err:
        parser.error(f"environment variable COLAUNCH_MORELLO_SSH_PORT: {err}")
    raise AssertionError("parser.error returned")


class _Once(argparse.Action):
    """Store an option's value, refusing the option a second time.

    argparse keeps the last of repeated options; for --target and --mode
    that would quietly run something other than what the first one asked.
    """

    def __call__(self, parser, namespace, values, option_string=None):
        seen = getattr(namespace, "_given_once", set())
        if self.dest in seen:
            parser.error(f"argument {option_string}: given more than once "
                         f"({getattr(namespace, self.dest)}, then {values}); "
                         "one run uses one value")
        seen.add(self.dest)
        namespace._given_once = seen
        setattr(namespace, self.dest, values)


# Options that only --mode ssh uses. Image mode boots its own guest through
# run_simple_tests.py, so giving one of them there is refused rather than
# silently ignored; their environment variables are simply not read there.
SSH_ONLY = ("ssh", "ssh_port", "ssh_key", "guest_dir")


EPILOG = """\
steps:
  check   look for cheribuild, QEMU, the disk image, the SDK and the sysroot
  build   cargo test --no-run and cargo build --bin colaunch for the target
  stage   write the guest script, its settings and the binary list
  run     boot the image with run_simple_tests.py, or use a running guest
  report  print a summary per binary and write JUnit XML

runner mode (must be the first argument; see `run-tests --runner --help`):
  run-tests --runner [OPTIONS] BINARY [ARGS...]

environment:
  COLAUNCH_CHERI_ROOT        default for --cheri-root (else ~/cheri)
  COLAUNCH_CHERIBUILD        default for --cheribuild
  COLAUNCH_MORELLO_SSH       default for --ssh (else root@localhost)
  COLAUNCH_MORELLO_SSH_PORT  default for --ssh-port (else 10022)
  COLAUNCH_MORELLO_SSH_KEY   default for --ssh-key
  CARGO_TARGET_DIR           default for --target-dir (else REPO/target)

The --ssh options and --guest-dir belong to --mode ssh; image mode refuses
them (exit 2).

exit status:
  0 all passed, 1 a test or smoke command failed, 2 bad arguments,
  3 a prerequisite is missing, 4 the build failed, 5 the guest run failed
"""


def build_parser(env=None):
    """Return the parser for a test run; `env` supplies the defaults."""
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(
        prog="run-tests",
        description="Build colaunch and its test binaries for Morello, run them in a\n"
        "QEMU-Morello guest, and report per binary with JUnit XML.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target", required=True, choices=sorted(TARGETS), action=_Once,
        help="purecap: " + TARGETS["purecap"].summary + "; hybrid: " + TARGETS["hybrid"].summary
        + " (once only)")
    parser.add_argument(
        "--mode", choices=("image", "ssh"), default="image", action=_Once,
        help="image: boot the disk image with cheribuild's run_simple_tests.py "
        "(default); ssh: use a guest that is already running")
    parser.add_argument(
        "--dry-run", action="store_true",
        help="print every step and command, run nothing, create nothing")
    parser.add_argument(
        "--cheri-root", metavar="DIR",
        default=env.get("COLAUNCH_CHERI_ROOT") or DEFAULT_CHERI_ROOT,
        help="cheribuild's source root; output/ below it holds the SDK, QEMU and "
        "images (default: %(default)s)")
    parser.add_argument(
        "--cheribuild", metavar="DIR", default=env.get("COLAUNCH_CHERIBUILD"),
        help="the cheribuild checkout (default: CHERI_ROOT/cheribuild)")
    parser.add_argument(
        "--qemu", metavar="PATH",
        help="CHERI QEMU (default: CHERI_ROOT/output/sdk/bin/qemu-system-morello)")
    parser.add_argument(
        "--disk-image", metavar="PATH",
        help="the CheriBSD image to boot (default: "
        "CHERI_ROOT/output/cheribsd-morello-purecap.img)")
    parser.add_argument(
        "--guest-arch", choices=GUEST_ARCHITECTURES, default="morello-purecap",
        help="the kernel ABI of the image, for run_simple_tests.py (default: %(default)s)")
    parser.add_argument(
        "--sdk", metavar="DIR",
        help="the Morello LLVM SDK used to link (default: CHERI_ROOT/output/morello-sdk)")
    parser.add_argument(
        "--sysroot", metavar="DIR",
        help="the CheriBSD sysroot to link against (default: "
        "CHERI_ROOT/output/rootfs-morello-purecap)")
    parser.add_argument(
        "--ssh", metavar="USER@HOST",
        help="the running guest for --mode ssh (default: $COLAUNCH_MORELLO_SSH, else "
        f"{DEFAULT_SSH_HOST})")
    parser.add_argument(
        "--ssh-port", metavar="PORT", type=_port,
        help="its forwarded ssh port, for --mode ssh (default: "
        f"$COLAUNCH_MORELLO_SSH_PORT, else {DEFAULT_SSH_PORT})")
    parser.add_argument(
        "--ssh-key", metavar="FILE",
        help="private key for the guest's root account, for --mode ssh (default: "
        "$COLAUNCH_MORELLO_SSH_KEY, else ssh's own choice)")
    parser.add_argument(
        "--guest-dir", metavar="DIR",
        help="where --mode ssh puts the build dir in the guest (default: the host's "
        "absolute build dir, so paths compiled into the tests still resolve)")
    parser.add_argument(
        "--cargo", metavar="CMD", default="cargo",
        help="the cargo command, split like a shell word list (default: %(default)s)")
    parser.add_argument(
        "--toolchain", metavar="NAME",
        help="rustup toolchain passed as +NAME; empty for none (default: morello for "
        "purecap, nightly for hybrid)")
    rust_version = parser.add_mutually_exclusive_group()
    rust_version.add_argument(
        "--ignore-rust-version", dest="ignore_rust_version", action="store_true",
        default=None,
        help="pass --ignore-rust-version to cargo (default for purecap)")
    rust_version.add_argument(
        "--no-ignore-rust-version", dest="ignore_rust_version", action="store_false",
        help="do not pass it (default for hybrid)")
    parser.add_argument(
        "--release", action="store_true", help="build with the release profile")
    parser.add_argument(
        "--target-dir", metavar="DIR",
        help="cargo's target directory, passed to every cargo call (default: "
        "$CARGO_TARGET_DIR, relative to the current directory as cargo takes it, "
        "else REPO/target; it overrides build.target-dir in cargo's config)")
    parser.add_argument(
        "--no-build", action="store_true",
        help="skip the build and reuse the binary list of the last stage step")
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds, default=DEFAULT_TIMEOUT,
        help="limit for each test binary in the guest (default: %(default)s)")
    parser.add_argument(
        "--colocate", choices=("auto", "always", "never"), default="auto",
        help="colocated smoke launch: auto runs it when the guest kernel has "
        "coexecve (default: %(default)s)")
    parser.add_argument(
        "--junit", metavar="FILE",
        help="where to write JUnit XML (default: BUILD_DIR/morello-run/junit.xml)")
    parser.add_argument(
        "--runner", action="store_true",
        help="runner mode; only valid as the first argument, see --runner --help")
    parser.add_argument(
        "test_args", nargs="*", metavar="-- ARGS",
        help="arguments after -- go to every test binary, e.g. -- --test-threads=1")
    return parser


@dataclass
class Settings:
    """A parsed and resolved test run: every path made absolute."""

    target: Target
    mode: str
    dry_run: bool
    repo: Path
    cheri_root: Path
    cheribuild: Path
    qemu: Path
    disk_image: Path
    guest_arch: str
    sdk: Path
    sysroot: Path
    ssh: str
    ssh_port: int
    ssh_key: str
    guest_dir: Path
    cargo: list
    toolchain: str
    ignore_rust_version: bool
    profile: str
    target_dir: Path
    no_build: bool
    timeout: int
    colocate: str
    junit: Path
    test_args: list

    @property
    def build_dir(self):
        """Where cargo puts this target's binaries."""
        return self.target_dir / self.target.triple / self.profile

    @property
    def stage_dir(self):
        """The directory shared with the guest for inputs and results."""
        return self.build_dir / "morello-run"


def _path(text):
    return Path(os.path.abspath(os.path.expanduser(text)))


def _target_dir(option, env, repo):
    # Cargo itself honours CARGO_TARGET_DIR, so without this the build would
    # land there while the stage step looked under REPO/target. Whichever
    # wins is then passed to cargo as --target-dir, so both agree.
    if option:
        return _path(option)
    if env.get("CARGO_TARGET_DIR"):
        return _path(env["CARGO_TARGET_DIR"])
    return Path(repo) / "target"


def parse_args(argv, repo, env=None):
    """Parse a test run's arguments and resolve every default path."""
    parser = build_parser(env)
    ns = parser.parse_args(argv)
    if ns.runner:
        parser.error("argument --runner: must be the first argument")
    target = TARGETS[ns.target]
    root = _path(ns.cheri_root)
    output = root / "output"
    toolchain = target.toolchain if ns.toolchain is None else ns.toolchain
    ignore = target.ignore_rust_version if ns.ignore_rust_version is None \
        else ns.ignore_rust_version
    cargo = shlex.split(ns.cargo)
    if not cargo:
        parser.error("argument --cargo: must name a command")
    env = os.environ if env is None else env
    if ns.mode == "image":
        for dest in SSH_ONLY:
            if getattr(ns, dest) is not None:
                flag = "--" + dest.replace("_", "-")
                parser.error(f"argument {flag}: only used with --mode ssh; --mode image "
                             "boots its own guest")
        ssh_port = DEFAULT_SSH_PORT
    else:
        ssh_port = _ssh_port(parser, ns.ssh_port, env)
    target_dir = _target_dir(ns.target_dir, env, repo)
    profile = "release" if ns.release else "debug"
    build_dir = target_dir / target.triple / profile
    return Settings(
        target=target,
        mode=ns.mode,
        dry_run=ns.dry_run,
        repo=Path(repo),
        cheri_root=root,
        cheribuild=_path(ns.cheribuild) if ns.cheribuild else root / "cheribuild",
        qemu=_path(ns.qemu) if ns.qemu else output / "sdk/bin/qemu-system-morello",
        disk_image=_path(ns.disk_image) if ns.disk_image
        else output / "cheribsd-morello-purecap.img",
        guest_arch=ns.guest_arch,
        sdk=_path(ns.sdk) if ns.sdk else output / "morello-sdk",
        sysroot=_path(ns.sysroot) if ns.sysroot else output / "rootfs-morello-purecap",
        ssh=ns.ssh or env.get("COLAUNCH_MORELLO_SSH") or DEFAULT_SSH_HOST,
        ssh_port=ssh_port,
        ssh_key=ns.ssh_key or env.get("COLAUNCH_MORELLO_SSH_KEY") or "",
        guest_dir=Path(ns.guest_dir) if ns.guest_dir else build_dir,
        cargo=cargo,
        toolchain=toolchain,
        ignore_rust_version=ignore,
        profile=profile,
        target_dir=target_dir,
        no_build=ns.no_build,
        timeout=ns.timeout,
        colocate=ns.colocate,
        junit=_path(ns.junit) if ns.junit else build_dir / "morello-run/junit.xml",
        test_args=list(ns.test_args),
    )


@dataclass
class RunnerSettings:
    """A parsed runner invocation: one binary to run in the guest."""

    binary: Path
    args: list
    ssh: str
    ssh_port: int
    ssh_key: str
    guest_dir: Path
    dry_run: bool


def build_runner_parser(env=None):
    """Return the parser for `run-tests --runner`."""
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(
        prog="run-tests --runner",
        description="Copy one binary into a running Morello guest over ssh, run it "
        "there and exit with its status. Meant for CARGO_TARGET_<TRIPLE>_RUNNER "
        "or the runner key of morello/cargo-config.toml.",
        epilog="Options come before BINARY; everything after BINARY goes to it. "
        "The environment variables of `run-tests --help` set the defaults. "
        "Exit status: the binary's, or 2 for bad arguments, 255 when ssh fails.",
    )
    parser.add_argument(
        "--ssh", metavar="USER@HOST", default=env.get("COLAUNCH_MORELLO_SSH") or DEFAULT_SSH_HOST,
        help="the running guest (default: %(default)s)")
    parser.add_argument(
        "--ssh-port", metavar="PORT", type=_port,
        help="its forwarded ssh port (default: $COLAUNCH_MORELLO_SSH_PORT, else "
        f"{DEFAULT_SSH_PORT})")
    parser.add_argument(
        "--ssh-key", metavar="FILE", default=env.get("COLAUNCH_MORELLO_SSH_KEY"),
        help="private key for the guest's root account")
    parser.add_argument(
        "--guest-dir", metavar="DIR",
        help="where the build dir goes in the guest (default: the same absolute path)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the commands, run nothing")
    parser.add_argument("binary", metavar="BINARY", help="the program cargo built")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="passed to BINARY unchanged")
    return parser


def parse_runner_args(argv, env=None):
    """Parse the arguments that follow `--runner`."""
    env = os.environ if env is None else env
    parser = build_runner_parser(env)
    ns = parser.parse_args(argv)
    return RunnerSettings(
        binary=_path(ns.binary),
        args=list(ns.args),
        ssh=ns.ssh,
        ssh_port=_ssh_port(parser, ns.ssh_port, env),
        ssh_key=ns.ssh_key or "",
        guest_dir=Path(ns.guest_dir) if ns.guest_dir else None,
        dry_run=ns.dry_run,
    )
