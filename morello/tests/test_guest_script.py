"""Stage, the guest script and the report, run on this host with fakes.

The guest script is POSIX sh, so the host's sh can run it; only the
QEMU-Morello guest itself is missing from this picture.
"""

import io
import subprocess
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from morello_run import guest, junit, options, plan, report

from . import fakes
from .support import REPO, TempDirTest


class TestGuestScript(TempDirTest):
    def settings(self, *extra):
        argv = ["--target", "hybrid", "--target-dir", str(self.tmp / "target"),
                "--timeout", "2", *extra]
        return options.parse_args(argv, REPO, {})

    def stage_and_run(self, settings, **fake):
        binaries = fakes.make_build_dir(settings.build_dir, **fake)
        run = plan.Plan(settings, out=io.StringIO(), err=io.StringIO())
        run.binaries = binaries
        self.assertIsNone(run.stage())
        # What run_simple_tests.py does in the guest: cd to the build dir and
        # run the test command.
        done = subprocess.run(["sh", "-c", "/bin/sh ./morello-run/run-in-guest.sh"],
                              cwd=settings.build_dir, capture_output=True, text=True,
                              timeout=60, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIsNone(run.report())
        return run

    def test_guest_script_results_and_junit(self):
        s = self.settings("--", "--test-threads=1", "two words")
        run = self.stage_and_run(s, hang=True, crash=True)
        self.assertEqual(run.final_status, options.EXIT_TESTS_FAILED)

        manifest, results = report.load(s.stage_dir)
        self.assertTrue(results.complete)
        self.assertEqual(results.rows[("test", "lib:colaunch")]["status"], "0")
        self.assertEqual(results.rows[("test", "test:status")]["status"], "101")
        self.assertEqual(results.rows[("test", "test:slow")]["status"], "124")
        crash = results.rows[("test", "test:crash")]
        self.assertEqual((crash["status"], crash["signal"]), ("139", "SEGV"))
        self.assertEqual(results.rows[("smoke", "colocate")]["status"], "skip")
        self.assertEqual(results.info["coexecve"], "no")
        self.assertEqual(results.info["coexecve_by"], "colaunch --probe")
        log = (s.stage_dir / "logs" / "lib_colaunch.log").read_text()
        self.assertIn("args: --test-threads=1 two words", log)

        root = ET.parse(s.junit).getroot()
        suites = {e.get("name"): e for e in root.findall("testsuite")}
        self.assertEqual(list(suites),
                         ["lib:colaunch", "test:status", "test:slow", "test:crash", "smoke"])
        self.assertEqual(suites["lib:colaunch"].get("tests"), "2")
        self.assertEqual(suites["lib:colaunch"].get("skipped"), "1")
        bad = suites["test:status"].find("testcase[@name='status::test_bad']/failure")
        self.assertIn("panicked at tests/status/main.rs:3:5", bad.get("message"))
        self.assertIn("left <&> \ufffd[31mred", bad.text)
        slow = suites["test:slow"].find("testcase[@name='slow::test_forever']/error")
        self.assertIn("timed out after 2 s", slow.get("message"))
        fault = suites["test:crash"].find("testcase[@name='crash::test_fault']/error")
        self.assertIn("killed by signal SEGV", fault.get("message"))
        smoke = {c.get("name"): c for c in suites["smoke"]}
        self.assertEqual(list(smoke["probe"]), [])
        self.assertEqual(list(smoke["spawn"]), [])
        self.assertEqual(smoke["colocate"][0].tag, "skipped")
        self.assertEqual(root.get("failures"), "1")
        self.assertEqual(root.get("errors"), "2")

        table = run.out.getvalue()
        self.assertRegex(table, r"test:status\s+FAILED\s+1\s+1\s+0")
        self.assertRegex(table, r"lib:colaunch\s+ok\s+1\s+0\s+1")
        self.assertIn("guest coexecve: no", table)
        self.assertIn("smoke colocate: skipped: no coexecve in the guest, according "
                      "to colaunch --probe", table)
        self.assertEqual(smoke["colocate"][0].get("message"),
                         "skipped: no coexecve in the guest, according to colaunch --probe")

    def test_guest_script_timeouts_told_apart(self):
        # A binary that exits 124 itself is not a timeout; one that ignores
        # TERM and dies of timeout(1)'s KILL is one, not a KILL crash.
        s = self.settings()
        with mock.patch.object(guest, "KILL_AFTER", 1):
            run = self.stage_and_run(s, exit_124=True, stubborn=True)
            self.assertIn("KILL_AFTER=1", (s.stage_dir / "settings.sh").read_text())
        _, results = report.load(s.stage_dir)
        own = results.rows[("test", "test:own124")]
        self.assertEqual((own["status"], own["timed_out"]), ("124", False))
        self.assertTrue(results.rows[("test", "test:stubborn")]["timed_out"])

        root = ET.parse(s.junit).getroot()
        own_error = root.find("testsuite[@name='test:own124']/testcase/error")
        self.assertEqual(own_error.get("message"), "exit status 124")
        stubborn = root.find("testsuite[@name='test:stubborn']/testcase/error")
        self.assertIn("timed out after 2 s", stubborn.get("message"))
        self.assertNotIn("killed by signal", stubborn.get("message"))
        self.assertEqual(run.final_status, options.EXIT_TESTS_FAILED)

    def test_guest_script_colocates_when_probe_says_yes(self):
        s = self.settings()
        self.stage_and_run(s, coexecve="yes")
        _, results = report.load(s.stage_dir)
        self.assertEqual(results.info["coexecve"], "yes")
        self.assertEqual(results.rows[("smoke", "colocate")]["status"], "0")

    def test_guest_script_sysctl_only_without_probe_answer(self):
        # No coexecve row from --probe: the sysctl decides, and this Linux
        # host has no kern.opportunistic_coexecve.
        s = self.settings()
        run = self.stage_and_run(s, coexecve=None)
        _, results = report.load(s.stage_dir)
        self.assertEqual(results.info["coexecve"], "no")
        self.assertTrue(results.info["coexecve_by"].startswith(
            "sysctl kern.opportunistic_coexecve"), results.info)
        self.assertEqual(results.rows[("smoke", "colocate")]["status"], "skip")
        self.assertIn("according to sysctl", run.out.getvalue())

    def test_guest_script_colocate_never_says_why(self):
        s = self.settings("--colocate", "never")
        run = self.stage_and_run(s, coexecve="yes")
        self.assertIn("smoke colocate: skipped: --colocate never", run.out.getvalue())

    def test_guest_script_colocate_always(self):
        s = self.settings("--colocate", "always")
        self.stage_and_run(s)
        _, results = report.load(s.stage_dir)
        self.assertEqual(results.rows[("smoke", "colocate")]["status"], "0")
        self.assertIn("colaunch-smoke-colocated",
                      (s.stage_dir / "logs" / "colocate.log").read_text())

    def test_guest_script_links_host_build_dir(self):
        s = self.settings()
        run = plan.Plan(s, out=io.StringIO(), err=io.StringIO())
        run.binaries = fakes.make_build_dir(s.build_dir)
        run.stage()
        host_path = self.tmp / "elsewhere" / "build"
        settings_file = s.stage_dir / "settings.sh"
        text = settings_file.read_text().replace(str(s.build_dir), str(host_path))
        settings_file.write_text(text)
        subprocess.run(["/bin/sh", "./morello-run/run-in-guest.sh"], cwd=s.build_dir,
                       check=True, timeout=60, capture_output=True)
        self.assertTrue(host_path.is_symlink())
        self.assertEqual(host_path.resolve(), s.build_dir.resolve())

    def test_report_marks_unfinished_run(self):
        s = self.settings()
        run = plan.Plan(s, out=io.StringIO(), err=io.StringIO())
        run.binaries = fakes.make_build_dir(s.build_dir)
        run.stage()
        # The guest wrote one row, then the guest died.
        (s.stage_dir / "results.tsv").write_text("test\tlib:colaunch\t0\t1\t-\t\n")
        run.report()
        self.assertEqual(run.final_status, options.EXIT_GUEST)
        self.assertIn("did not finish", run.err.getvalue())
        root = ET.parse(s.junit).getroot()
        status = root.find("testsuite[@name='test:status']/testcase/error")
        self.assertIn("did not run", status.get("message"))
        self.assertIn("INCOMPLETE", run.out.getvalue())

    def test_stage_clears_old_results(self):
        s = self.settings()
        run = plan.Plan(s, out=io.StringIO(), err=io.StringIO())
        run.binaries = fakes.make_build_dir(s.build_dir)
        (s.stage_dir / "logs").mkdir(parents=True)
        (s.stage_dir / "results.tsv").write_text("done\n")
        run.stage()
        self.assertFalse((s.stage_dir / "results.tsv").exists())
        self.assertFalse((s.stage_dir / "logs").exists())
        listed = (s.stage_dir / "tests.list").read_text().splitlines()
        self.assertEqual(listed, ["lib:colaunch\tdeps/colaunch-1111\tlib_colaunch.log",
                                  "test:status\tdeps/status-2222\ttest_status.log"])

    def test_guest_script_is_posix_sh(self):
        done = subprocess.run(["sh", "-n", str(REPO / "morello/guest-tests.sh")],
                              capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)


class TestVerdicts(unittest.TestCase):
    def test_passed_ignores_skips(self):
        suite = junit.Suite("s", cases=[junit.Case("a"), junit.Case("b", junit.SKIPPED)])
        self.assertTrue(report.passed([suite]))
        suite.cases.append(junit.Case("c", junit.ERROR))
        self.assertFalse(report.passed([suite]))


if __name__ == "__main__":
    unittest.main()
