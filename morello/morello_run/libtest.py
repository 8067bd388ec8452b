"""Reading the pretty output of a Rust test binary (libtest) into cases.

Only what libtest prints by default is relied on: one `test NAME ... RESULT`
line per test and a `---- NAME stdout ----` section per failure. A binary
that dies in the middle of a test (a CHERI capability fault gives SIGPROT)
leaves a `test NAME ... ` line with no result; that test becomes an error.
"""

import re

from . import junit

_LINE = re.compile(r"^test (?P<name>.+?) \.\.\. ?(?P<rest>.*)$")
_RESULT = re.compile(r"^(?P<word>ok|FAILED|ignored)(?:, (?P<reason>.*?))?(?: <[\d.]+s>)?$")
_SECTION = re.compile(r"^---- (?P<name>.+) (?:stdout|stderr) ----$")


def _outcome(text):
    match = _RESULT.match(text.strip())
    if not match:
        return None
    word = match.group("word")
    status = {"ok": junit.PASSED, "FAILED": junit.FAILED, "ignored": junit.SKIPPED}[word]
    return status, match.group("reason") or ""


def _sections(lines):
    # A failure's captured output runs from its header to the next header or
    # to the `failures:` list that libtest prints after the last one.
    found = {}
    current = None
    for line in lines:
        header = _SECTION.match(line)
        if header:
            current = header.group("name")
            found.setdefault(current, [])
            continue
        if line == "failures:" or line.startswith("test result:"):
            current = None
            continue
        if current is not None:
            found[current].append(line)
    return {name: "\n".join(body).strip() + "\n" for name, body in found.items()}


def parse(text):
    """Return the test cases found in libtest output, in the order they ran."""
    lines = text.splitlines()
    cases = []
    pending = None
    for line in lines:
        match = _LINE.match(line)
        if match:
            result = _outcome(match.group("rest"))
            if result is None:
                # With --nocapture the result follows the test's own output.
                pending = match.group("name")
                continue
            cases.append(_case(match.group("name"), *result))
            pending = None
            continue
        if pending is not None:
            result = _outcome(line)
            if result is not None:
                cases.append(_case(pending, *result))
                pending = None
    if pending is not None:
        cases.append(junit.Case(
            name=pending, status=junit.ERROR,
            message="the binary ended while this test was running"))
    sections = _sections(lines)
    for case in cases:
        if case.status == junit.FAILED:
            case.output = sections.get(case.name, "")
            case.message = _first_panic(case.output) or "test failed"
    return cases


def _case(name, status, reason):
    return junit.Case(name=name, status=status, message=reason)


def _first_panic(output):
    # The panic is the most useful summary libtest gives. Since Rust 1.73 its
    # message sits on the line after `panicked at FILE:LINE:COL:`.
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "panicked at" in line:
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            return (line.strip() + " " + following).strip()
    return ""
