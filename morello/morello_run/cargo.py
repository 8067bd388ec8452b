"""The cargo commands of the build step, and the reading of their output.

Test binaries are found from cargo's JSON messages (the `executable` field
of each `compiler-artifact`), not by globbing `deps/`, which also holds
stale binaries from earlier builds.
"""

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Binary:
    """One executable cargo built: a test binary or the colaunch CLI."""

    name: str
    path: Path
    is_test: bool


def environment(settings):
    """Variables that morello/bin/morello-cc reads to find the SDK."""
    return {
        "COLAUNCH_CHERI_ROOT": str(settings.cheri_root),
        "COLAUNCH_MORELLO_SDK": str(settings.sdk),
        "COLAUNCH_MORELLO_SYSROOT": str(settings.sysroot),
    }


def _common(settings):
    cmd = list(settings.cargo)
    if settings.toolchain:
        cmd.append("+" + settings.toolchain)
    return cmd


def _flags(settings):
    # The config file sets the linker, the ABI link flags and the runner. It
    # is passed on every call so that no copy into .cargo/ is needed.
    flags = [
        "--target", settings.target.triple,
        "--config", str(settings.repo / "morello/cargo-config.toml"),
        "--message-format=json-render-diagnostics",
    ]
    if settings.target.build_std:
        # Tier 3 targets ship no std; cargo adds `test` itself for test units.
        flags.append("-Zbuild-std")
    if settings.ignore_rust_version:
        flags.append("--ignore-rust-version")
    if settings.profile == "release":
        flags.append("--release")
    # Always named, so that neither CARGO_TARGET_DIR nor a build.target-dir
    # in some cargo config can send the binaries where the stage step will
    # not look (options.py resolves the directory once).
    flags += ["--target-dir", str(settings.target_dir)]
    return flags


def build_commands(settings):
    """The two cargo commands of the build step, as argument lists.

    `cargo test --no-run` builds every test binary; the CLI is built
    separately because the smoke commands need it even when no integration
    test asks cargo for it.
    """
    tests = _common(settings) + ["test", "--workspace", "--no-run"] + _flags(settings)
    cli = _common(settings) + ["build", "--bin", "colaunch"] + _flags(settings)
    return [tests, cli]


def _display_name(target):
    # Cargo's kinds are lists such as ["lib"] or ["test"]; a package's lib and
    # bin share its name, so the kind keeps the names apart.
    kind = target.get("kind", ["?"])[0]
    return f"{kind}:{target.get('name', '?')}"


def parse_messages(lines):
    """Return the executables named in cargo's JSON messages, in order.

    Lines that are not JSON (a wrapper's chatter) are skipped. When the same
    name appears twice the later message wins, as a rebuild replaces the
    earlier file.
    """
    found = {}
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("reason") != "compiler-artifact":
            continue
        executable = message.get("executable")
        if not executable:
            continue
        target = message.get("target", {})
        is_test = bool(message.get("profile", {}).get("test"))
        name = _display_name(target)
        if not is_test and "bin" in target.get("kind", []):
            name = target.get("name", "?")
        found[name] = Binary(name=name, path=Path(executable), is_test=is_test)
    return list(found.values())
