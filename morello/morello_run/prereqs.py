"""The tools a run needs, where they are looked for, and how to get each.

Every check is a look-up on the file system or PATH, except two that must
run something: asking QEMU whether it has virtio-9p, and asking the guest
over ssh whether it answers. The dry run skips those two and marks them
unchecked.
"""

import importlib.util
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

OK = "ok"
MISSING = "MISSING"
UNCHECKED = "unchecked"


@dataclass
class Requirement:
    """One thing the run needs, and whether it was found."""

    what: str
    where: str
    state: str
    fix: str


def _cheribuild(settings, *targets):
    return shlex.join([str(settings.cheribuild / "cheribuild.py"), *targets])


def _file(path):
    return OK if Path(path).is_file() else MISSING


def _executable(path):
    path = Path(path)
    return OK if path.is_file() and os.access(path, os.X_OK) else MISSING


def _toolchain_state(name, env):
    # A linked or installed rustup toolchain is a directory named after it,
    # with the host triple appended for installed channels.
    home = Path(env.get("RUSTUP_HOME") or Path.home() / ".rustup")
    toolchains = home / "toolchains"
    if not toolchains.is_dir():
        return MISSING
    for entry in toolchains.iterdir():
        if entry.name == name or entry.name.startswith(name + "-"):
            return OK
    return MISSING


def _toolchain_fix(settings):
    if settings.target.name == "purecap":
        return ("install the CHERI Rust fork (morello/README.md, step 3), then "
                f"`rustup toolchain link {settings.toolchain} /path/to/the/fork`")
    return (f"rustup toolchain install {settings.toolchain} --component rust-src "
            "(about 2 minutes)")


def build_requirements(settings, which, env):
    """What linking colaunch for the target needs."""
    found = []
    cargo = settings.cargo[0]
    found.append(Requirement(
        "cargo", cargo, OK if which(cargo) else MISSING,
        "install rustup (https://rustup.rs) or pass --cargo"))
    if settings.toolchain:
        found.append(Requirement(
            f"rustup toolchain {settings.toolchain!r}", "rustup toolchain list",
            _toolchain_state(settings.toolchain, env), _toolchain_fix(settings)))
    llvm = _cheribuild(settings, "morello-llvm-native")
    if settings.target.name == "purecap":
        # The fork wants CheriBSD and itself on one pinned Morello LLVM.
        llvm = (_cheribuild(settings, "morello-llvm-native", "--skip-update")
                + " on a checkout of the commit the CHERI Rust fork pins "
                "(morello/README.md, step 2)")
    found.append(Requirement(
        "Morello LLVM (the linker driver)", str(settings.sdk / "bin/clang"),
        _executable(settings.sdk / "bin/clang"), llvm + " (about 1-2 hours)"))
    found.append(_sysroot_requirement(settings))
    return found


# EF_AARCH64_CHERI_PURECAP, the e_flags bit of a purecap ELF file (the
# Morello LLVM test elf-eflags-cheri-purecap.s; morello-qemu.md section 2.1).
_EF_PURECAP = 0x10000


def _elf_is_purecap(path):
    """True or False for a 64-bit little-endian ELF file; None if not one."""
    try:
        with open(path, "rb") as f:
            header = f.read(52)
    except OSError:
        return None
    if len(header) < 52 or header[:6] != b"\x7fELF\x02\x01":
        return None
    return bool(int.from_bytes(header[48:52], "little") & _EF_PURECAP)


def _sysroot_requirement(settings):
    # A purecap link takes usr/lib of a purecap rootfs. A hybrid link takes
    # either of two layouts, as morello-cc does: a purecap rootfs, whose
    # usr/lib64 holds the aarch64 compatibility libraries, or a hybrid
    # rootfs (cheribsd-morello-hybrid), whose usr/lib holds them itself.
    root = settings.sysroot
    build = _cheribuild(settings, "cheribsd-morello-purecap") + " (about 2-4 hours)"
    if settings.target.name == "purecap":
        libc = root / "usr/lib/libc.so"
        fix = (_cheribuild(settings, "--skip-update", "cheribsd-morello-purecap")
               + " once the fork's pinned LLVM is built (morello/README.md, step 2; "
               "about 2-4 hours)")
        return Requirement("CheriBSD purecap sysroot", str(libc), _file(libc), fix)
    lib64, lib = root / "usr/lib64/libc.so", root / "usr/lib/libc.so"
    what = "CheriBSD sysroot for aarch64 (hybrid) links"
    where = f"{lib64}, or {lib} in a hybrid rootfs"
    if lib64.is_file():
        return Requirement(what, str(lib64), OK, build)
    if not lib.is_file():
        return Requirement(what, where, MISSING, build + ", or point --sysroot at a "
                           "hybrid rootfs (cheribuild.py cheribsd-morello-hybrid)")
    # usr/lib alone: refuse it if its libc is plainly the purecap one, which
    # a hybrid link must not take (libc.so itself is a linker script).
    if _elf_is_purecap(root / "lib/libc.so.7"):
        return Requirement(
            what, f"{root}: usr/lib is purecap and there is no usr/lib64", MISSING,
            "point --sysroot at a purecap rootfs with usr/lib64, or at a hybrid "
            "rootfs (cheribuild.py cheribsd-morello-hybrid)")
    return Requirement(what, str(lib), OK, build)


def _sharing_state(settings, which, dry_run):
    # run_simple_tests.py shares the build dir by virtio-9p when QEMU has it,
    # else by SMB through QEMU's user network, which starts the host's smbd.
    if which("smbd"):
        return OK
    if dry_run:
        return UNCHECKED
    if _executable(settings.qemu) != OK:
        return MISSING
    try:
        probe = subprocess.run([str(settings.qemu), "-device", "help"], capture_output=True,
                               text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return MISSING
    return OK if "virtio-9p" in probe.stdout + probe.stderr else MISSING


def image_requirements(settings, which, dry_run):
    """What booting the disk image with run_simple_tests.py needs."""
    script = settings.cheribuild / "test-scripts/run_simple_tests.py"
    clone = shlex.join(["git", "clone", "https://github.com/CTSRD-CHERI/cheribuild.git",
                        str(settings.cheribuild)])
    pexpect = importlib.util.find_spec("pexpect") is not None
    return [
        Requirement("cheribuild (run_simple_tests.py)", str(script), _file(script), clone),
        Requirement("CHERI QEMU (qemu-system-morello)", str(settings.qemu),
                    _executable(settings.qemu),
                    _cheribuild(settings, "qemu") + " (about 20-40 minutes)"),
        Requirement("CheriBSD disk image", str(settings.disk_image), _file(settings.disk_image),
                    _cheribuild(settings, "-d", "disk-image-morello-purecap")
                    + " (builds the SDK and CheriBSD first when missing: hours)"),
        Requirement("pexpect for cheribuild's test scripts", "python3 -c 'import pexpect'",
                    OK if pexpect else MISSING,
                    "python3 -m pip install --user pexpect, or apt-get install python3-pexpect"),
        Requirement("a way to share the build dir (smbd, or virtio-9p in QEMU)", "smbd on PATH",
                    _sharing_state(settings, which, dry_run),
                    "apt-get install samba (QEMU's SMB share runs the host's smbd)"),
    ]


def _guest_state(settings, dry_run):
    if dry_run:
        return UNCHECKED
    from . import guest
    base = guest.ssh_base(settings.ssh, settings.ssh_port, settings.ssh_key)
    cmd = base[:1] + ["-o", "ConnectTimeout=15"] + base[1:] + ["true"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return MISSING
    return OK if done.returncode == 0 else MISSING


def ssh_requirements(settings, which, dry_run):
    """What using a running guest over ssh needs."""
    start = _cheribuild(settings, "run-morello-purecap",
                        f"--run/ssh-forwarding-port={settings.ssh_port}")
    return [
        Requirement("ssh client", "ssh on PATH", OK if which("ssh") else MISSING,
                    "apt-get install openssh-client"),
        Requirement("a running guest", f"{settings.ssh} port {settings.ssh_port}",
                    _guest_state(settings, dry_run),
                    f"start one with {start}, wait for the login prompt, and check "
                    "that your key logs in as root"),
    ]


def check(settings, which=shutil.which, env=None):
    """Return every requirement of this run, found or not."""
    env = os.environ if env is None else env
    found = []
    if not settings.no_build:
        found += build_requirements(settings, which, env)
    if settings.mode == "image":
        found += image_requirements(settings, which, settings.dry_run)
    else:
        found += ssh_requirements(settings, which, settings.dry_run)
    return found
