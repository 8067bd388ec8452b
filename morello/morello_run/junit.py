"""A small JUnit XML writer: one <testsuite> per test binary.

The layout follows the schema most CI systems read (Jenkins, GitLab): a
<testsuites> root whose counts are the sums of its suites, and in each
<testcase> at most one of <failure>, <error> or <skipped>.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

PASSED = "passed"
FAILED = "failed"
ERROR = "error"
SKIPPED = "skipped"

# XML 1.0 forbids most control characters even when escaped, and test output
# carries some (ANSI colour codes, a stray NUL). ElementTree would write them
# as they are and produce a file no parser accepts, so they are replaced.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text):
    """Return `text` with the characters XML 1.0 cannot hold replaced."""
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)


@dataclass
class Case:
    """One test: its outcome and, when it did not pass, why."""

    name: str
    status: str = PASSED
    message: str = ""
    output: str = ""
    seconds: float = 0.0


@dataclass
class Suite:
    """One test binary, or the smoke commands."""

    name: str
    cases: list = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""

    def count(self, status):
        """How many cases ended with `status`."""
        return sum(1 for case in self.cases if case.status == status)


def _counts(element, suites):
    element.set("tests", str(sum(len(s.cases) for s in suites)))
    element.set("failures", str(sum(s.count(FAILED) for s in suites)))
    element.set("errors", str(sum(s.count(ERROR) for s in suites)))
    element.set("skipped", str(sum(s.count(SKIPPED) for s in suites)))
    element.set("time", f"{sum(s.seconds for s in suites):.3f}")


def _case_element(parent, suite, case):
    element = ET.SubElement(parent, "testcase", {
        "classname": clean(suite.name),
        "name": clean(case.name),
        "time": f"{case.seconds:.3f}",
    })
    if case.status in (FAILED, ERROR):
        tag = "failure" if case.status == FAILED else "error"
        detail = ET.SubElement(element, tag, {"message": clean(case.message)})
        detail.text = clean(case.output)
    elif case.status == SKIPPED:
        ET.SubElement(element, "skipped", {"message": clean(case.message)})
    elif case.status != PASSED:
        raise ValueError(f"unknown test status {case.status!r} for {case.name!r}")


def to_element(suites, name="colaunch-morello"):
    """Build the <testsuites> tree for `suites`."""
    root = ET.Element("testsuites", {"name": clean(name)})
    _counts(root, suites)
    for suite in suites:
        element = ET.SubElement(root, "testsuite", {"name": clean(suite.name)})
        _counts(element, [suite])
        for case in suite.cases:
            _case_element(element, suite, case)
        if suite.output:
            ET.SubElement(element, "system-out").text = clean(suite.output)
    return root


def to_string(suites, name="colaunch-morello"):
    """Return the JUnit document for `suites` as text, with its declaration."""
    root = to_element(suites, name)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write(suites, path, name="colaunch-morello"):
    """Write the JUnit document for `suites` to `path` (a pathlib.Path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_string(suites, name), encoding="utf-8")
