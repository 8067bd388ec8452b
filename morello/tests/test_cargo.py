"""The build step's cargo commands, JSON reading, and the cargo config."""

import json
import os
import tomllib
import unittest
from pathlib import Path

from morello_run import cargo, options

from .support import MORELLO, REPO


def artifact(name, kind, executable, test):
    return json.dumps({
        "reason": "compiler-artifact", "package_id": "colaunch 0.1.0",
        "target": {"name": name, "kind": [kind]},
        "profile": {"test": test}, "executable": executable,
    })


class TestMessages(unittest.TestCase):
    def test_parse_messages_picks_executables(self):
        lines = [
            "warning: wrapper chatter",
            json.dumps({"reason": "compiler-message", "message": {}}),
            artifact("colaunch", "lib", None, False),
            artifact("colaunch", "lib", "/b/deps/colaunch-aa", True),
            artifact("colaunch", "bin", "/b/deps/colaunch-bb", True),
            artifact("spawn", "test", "/b/deps/spawn-cc", True),
            artifact("colaunch", "bin", "/b/colaunch", False),
            artifact("spawn", "test", "/b/deps/spawn-dd", True),
            "{not json",
            json.dumps({"reason": "build-finished", "success": True}),
        ]
        found = cargo.parse_messages(lines)
        self.assertEqual([(b.name, str(b.path), b.is_test) for b in found], [
            ("lib:colaunch", "/b/deps/colaunch-aa", True),
            ("bin:colaunch", "/b/deps/colaunch-bb", True),
            ("test:spawn", "/b/deps/spawn-dd", True),
            ("colaunch", "/b/colaunch", False),
        ])


class TestCommands(unittest.TestCase):
    def test_build_commands_purecap(self):
        s = options.parse_args(["--target", "purecap"], REPO, {})
        tests, cli = cargo.build_commands(s)
        self.assertEqual(tests[:6], ["cargo", "+morello", "test", "--workspace", "--no-run",
                                     "--target"])
        self.assertIn("aarch64-unknown-freebsd-purecap", tests)
        self.assertIn("--ignore-rust-version", tests)
        self.assertNotIn("-Zbuild-std", tests)
        self.assertIn(str(REPO / "morello/cargo-config.toml"), tests)
        self.assertEqual(cli[:5], ["cargo", "+morello", "build", "--bin", "colaunch"])
        # Always named, so CARGO_TARGET_DIR or a cargo config cannot move it.
        self.assertEqual(tests[tests.index("--target-dir") + 1], str(REPO / "target"))

    def test_build_commands_hybrid(self):
        s = options.parse_args(["--target", "hybrid", "--release", "--target-dir", "/t",
                                "--toolchain", ""], REPO, {})
        tests, _ = cargo.build_commands(s)
        self.assertEqual(tests[:4], ["cargo", "test", "--workspace", "--no-run"])
        for flag in ("-Zbuild-std", "--release", "--message-format=json-render-diagnostics"):
            self.assertIn(flag, tests)
        self.assertNotIn("--ignore-rust-version", tests)
        self.assertEqual(tests[tests.index("--target-dir") + 1], "/t")

    def test_build_commands_honour_cargo_target_dir(self):
        env = {"CARGO_TARGET_DIR": "/ct"}
        s = options.parse_args(["--target", "hybrid"], REPO, env)
        self.assertEqual(s.build_dir, Path("/ct/aarch64-unknown-freebsd/debug"))
        for cmd in cargo.build_commands(s):
            self.assertEqual(cmd[cmd.index("--target-dir") + 1], "/ct")

    def test_environment_names_sdk(self):
        s = options.parse_args(["--target", "hybrid", "--cheri-root", "/c"], REPO, {})
        self.assertEqual(cargo.environment(s), {
            "COLAUNCH_CHERI_ROOT": "/c",
            "COLAUNCH_MORELLO_SDK": "/c/output/morello-sdk",
            "COLAUNCH_MORELLO_SYSROOT": "/c/output/rootfs-morello-purecap",
        })


class TestCargoConfig(unittest.TestCase):
    def setUp(self):
        with open(MORELLO / "cargo-config.toml", "rb") as f:
            self.config = tomllib.load(f)

    def test_config_covers_both_targets(self):
        abi = {"purecap": "-mabi=purecap", "hybrid": "-mabi=aapcs"}
        for target in options.TARGETS.values():
            section = self.config["target"][target.triple]
            # Cargo resolves these against the parent of the config's dir.
            linker = REPO / section["linker"]
            self.assertTrue(linker.is_file() and os.access(linker, os.X_OK), linker)
            runner = REPO / section["runner"][0]
            self.assertTrue(runner.is_file() and os.access(runner, os.X_OK), runner)
            self.assertEqual(section["runner"][1:], ["--runner"])
            self.assertIn("link-arg=" + abi[target.name], section["rustflags"])

    def test_config_paths_are_relative(self):
        for section in self.config["target"].values():
            self.assertFalse(Path(section["linker"]).is_absolute())
            self.assertFalse(Path(section["runner"][0]).is_absolute())


if __name__ == "__main__":
    unittest.main()
