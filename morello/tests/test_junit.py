"""The JUnit writer: counts, escaping, and text that XML cannot hold."""

import unittest
import xml.etree.ElementTree as ET

from morello_run import junit

from .support import TempDirTest

NASTY = 'a <b> & "c" \'d\'\x1b[31mred\x1b[0m\x00nul'


def sample():
    return [
        junit.Suite(name="test:spawn", seconds=2.5, output="out " + NASTY, cases=[
            junit.Case("spawn::ok"),
            junit.Case("spawn::bad <&>", junit.FAILED, message="panicked " + NASTY,
                       output="---- detail " + NASTY),
            junit.Case("spawn::later", junit.SKIPPED, message="needs coexecve"),
        ]),
        junit.Suite(name="smoke", cases=[
            junit.Case("probe", seconds=0.25),
            junit.Case("colocate", junit.ERROR, message="did not run"),
        ]),
    ]


class TestJunit(TempDirTest):
    def parse_back(self):
        path = self.tmp / "out" / "junit.xml"
        junit.write(sample(), path)
        return ET.parse(path).getroot()

    def test_write_counts(self):
        root = self.parse_back()
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual(
            {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")},
            {"tests": "5", "failures": "1", "errors": "1", "skipped": "1"})
        self.assertEqual(root.get("time"), "2.500")
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites], ["test:spawn", "smoke"])
        self.assertEqual([s.get("tests") for s in suites], ["3", "2"])
        self.assertEqual(suites[0].get("failures"), "1")
        self.assertEqual(suites[1].get("errors"), "1")
        self.assertEqual(len(suites[0].findall("testcase")), 3)

    def test_write_escapes_and_cleans(self):
        root = self.parse_back()
        bad = root.find("testsuite/testcase[@name='spawn::bad <&>']")
        self.assertIsNotNone(bad, "special characters in names must round-trip")
        self.assertEqual(bad.get("classname"), "test:spawn")
        failure = bad.find("failure")
        # Markup characters survive; the escape and the NUL become U+FFFD.
        self.assertEqual(failure.get("message"),
                         'panicked a <b> & "c" \'d\'\ufffd[31mred\ufffd[0m\ufffdnul')
        self.assertTrue(failure.text.startswith("---- detail a <b> &"))
        self.assertIn("out a <b>", root.find("testsuite/system-out").text)

    def test_write_one_outcome_element_per_case(self):
        root = self.parse_back()
        cases = {c.get("name"): c for c in root.iter("testcase")}
        self.assertEqual(list(cases["spawn::ok"]), [])
        self.assertEqual([e.tag for e in cases["spawn::later"]], ["skipped"])
        self.assertEqual(cases["spawn::later"].find("skipped").get("message"),
                         "needs coexecve")
        self.assertEqual([e.tag for e in cases["colocate"]], ["error"])
        self.assertEqual(cases["probe"].get("time"), "0.250")

    def test_to_string_has_declaration(self):
        text = junit.to_string([])
        self.assertTrue(text.startswith('<?xml version="1.0" encoding="UTF-8"?>'))
        root = ET.fromstring(text.split("\n", 1)[1])
        self.assertEqual(root.get("tests"), "0")

    def test_unknown_status_is_refused(self):
        with self.assertRaises(ValueError):
            junit.to_string([junit.Suite("s", cases=[junit.Case("c", "weird")])])


if __name__ == "__main__":
    unittest.main()
