"""Turning the guest's results.tsv and logs into a summary and JUnit suites.

Everything the manifest lists gets a suite, whether or not the guest got to
it, so a run that died half way shows which binaries never ran.
"""

import json
from dataclasses import dataclass, field

from . import guest, junit, libtest


@dataclass
class Results:
    """What the guest wrote: one row per item, plus what it learned."""

    rows: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    complete: bool = False


def read_results(text):
    """Parse results.tsv; a missing final `done` line marks it incomplete."""
    results = Results()
    for line in text.splitlines():
        if line == "done":
            results.complete = True
            continue
        fields = line.split("\t")
        if fields[0] == "info" and len(fields) >= 3:
            results.info[fields[1]] = fields[2]
        elif fields[0] in ("test", "smoke") and len(fields) >= 5:
            signal = fields[5] if len(fields) > 5 else ""
            stop = fields[6] if len(fields) > 6 else ""
            results.rows[(fields[0], fields[1])] = {
                "status": fields[2], "seconds": _seconds(fields[3]),
                "log": fields[4], "signal": signal, "timed_out": stop == "timeout",
            }
    return results


def _seconds(text):
    try:
        return float(text)
    except ValueError:
        return 0.0


def _exit_message(row, timeout):
    # The guest script decides what was a timeout (see stopped_by_limit in
    # guest-tests.sh): a status of 124 alone may be the program's own.
    code = int(row["status"])
    if row.get("timed_out"):
        if code == 128 + 9:
            return (f"timed out after {timeout} s; ignored TERM, stopped by KILL "
                    f"{guest.KILL_AFTER} s later")
        return f"timed out after {timeout} s"
    if code > 128:
        name = row["signal"] or str(code - 128)
        return f"killed by signal {name} (exit status {code})"
    return f"exit status {code}"


def _read_log(stage_dir, row):
    if row["log"] in ("", "-"):
        return ""
    path = stage_dir / "logs" / row["log"]
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def test_suite(name, row, stage_dir, timeout):
    """The suite for one test binary, from its row (None if it never ran)."""
    suite = junit.Suite(name=name)
    if row is None:
        suite.cases.append(junit.Case(
            name=name, status=junit.ERROR,
            message="did not run: the guest run ended before reaching it"))
        return suite
    output = _read_log(stage_dir, row)
    suite.output = output
    suite.seconds = row["seconds"]
    suite.cases = libtest.parse(output)
    for case in suite.cases:
        if case.status == junit.ERROR:
            # A test the binary died in: say how it died.
            case.message += f" ({_exit_message(row, timeout)})"
    if row["status"] != "0" and not any(
            c.status in (junit.FAILED, junit.ERROR) for c in suite.cases):
        # libtest exits 101 after reporting its failures; any other non-zero
        # status with no failed test (a crash, a timeout) gets its own case.
        suite.cases.append(junit.Case(
            name=name, status=junit.ERROR, message=_exit_message(row, timeout),
            output=output[-4000:]))
    elif not suite.cases:
        suite.cases.append(junit.Case(name=name, message="no libtest output"))
    return suite


def _skip_reason(results):
    by = results.info.get("coexecve_by", "")
    if by.startswith("--colocate"):
        return f"skipped: {by}"
    if by:
        return f"skipped: no coexecve in the guest, according to {by}"
    return "skipped: no coexecve in the guest"


def smoke_suite(results, stage_dir, timeout):
    """The suite for the smoke commands."""
    suite = junit.Suite(name="smoke")
    for item, expect in guest.SMOKE_EXPECT.items():
        row = results.rows.get(("smoke", item))
        case = junit.Case(name=item)
        if row is None:
            case.status, case.message = junit.ERROR, "did not run"
        elif row["status"] == "skip":
            case.status, case.message = junit.SKIPPED, _skip_reason(results)
        elif row["status"] == "missing":
            case.status, case.message = junit.ERROR, "colaunch binary missing in the guest"
        else:
            case.output = _read_log(stage_dir, row)
            case.seconds = row["seconds"]
            if row["status"] != "0":
                case.status, case.message = junit.FAILED, _exit_message(row, timeout)
            elif expect and expect not in case.output:
                case.status, case.message = junit.FAILED, f"output lacks {expect!r}"
        suite.cases.append(case)
        suite.seconds += case.seconds
    return suite


def build_suites(manifest, results, stage_dir, timeout):
    """Every suite of the run: the test binaries, then the smoke commands."""
    suites = []
    for entry in manifest["binaries"]:
        if entry["test"]:
            row = results.rows.get(("test", entry["name"]))
            suites.append(test_suite(entry["name"], row, stage_dir, timeout))
    suites.append(smoke_suite(results, stage_dir, timeout))
    return suites


def load(stage_dir):
    """Read the manifest and results of a run from its stage directory."""
    manifest = json.loads((stage_dir / "manifest.json").read_text(encoding="utf-8"))
    try:
        text = (stage_dir / "results.tsv").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = ""
    return manifest, read_results(text)


def _verdict(suite):
    if suite.count(junit.ERROR):
        return "ERROR"
    if suite.count(junit.FAILED):
        return "FAILED"
    if suite.count(junit.SKIPPED) == len(suite.cases):
        return "skipped"
    return "ok"


def summary(suites, results):
    """The per-binary table printed at the end of a run."""
    width = max([len(s.name) for s in suites] + [len("binary")])
    lines = [f"{'binary':<{width}}  {'result':<7} {'passed':>6} {'failed':>6} "
             f"{'ignored':>7} {'seconds':>7}"]
    for suite in suites:
        failed = suite.count(junit.FAILED) + suite.count(junit.ERROR)
        lines.append(
            f"{suite.name:<{width}}  {_verdict(suite):<7} {suite.count(junit.PASSED):>6} "
            f"{failed:>6} {suite.count(junit.SKIPPED):>7} {suite.seconds:>7.0f}")
    for key in ("uname", "coexecve"):
        if key in results.info:
            lines.append(f"guest {key}: {results.info[key]}")
    # A skipped smoke command does not fail the run; say so by name, since
    # the table's "ok" for the smoke row would hide it.
    for suite in suites:
        if suite.name == "smoke":
            lines += [f"smoke {c.name}: {c.message}" for c in suite.cases
                      if c.status == junit.SKIPPED]
    if not results.complete:
        lines.append("guest run INCOMPLETE: results.tsv has no final 'done' line")
    return "\n".join(lines)


def passed(suites):
    """True when no case failed or errored."""
    return all(s.count(junit.FAILED) == 0 and s.count(junit.ERROR) == 0 for s in suites)
