"""A fake build dir: test binaries and a colaunch CLI made of sh scripts.

They print what libtest and the CLI would, so the guest script, the
transport and the report can run on this host without any Morello tool.
"""

from morello_run import cargo

from .support import write_exe

PASS = """\
#!/bin/sh
echo
echo "running 2 tests"
echo "test spawn::test_one ... ok"
echo "test spawn::test_two ... ignored, needs coexecve"
echo "args: $*"
"""

FAIL = """\
#!/bin/sh
echo "running 2 tests"
echo "test status::test_good ... ok"
echo "test status::test_bad ... FAILED"
echo
echo "failures:"
echo
echo "---- status::test_bad stdout ----"
echo "thread 'status::test_bad' panicked at tests/status/main.rs:3:5:"
printf 'left <&> \\033[31mred\\n'
echo
echo "failures:"
echo "    status::test_bad"
exit 101
"""

HANG = """\
#!/bin/sh
echo "running 1 test"
printf 'test slow::test_forever ... '
exec sleep 30
"""

CRASH = """\
#!/bin/sh
echo "running 1 test"
printf 'test crash::test_fault ... '
kill -SEGV $$
"""

# The CLI's --probe prints aligned rows, a label, yes or no, and a detail
# (src/cli/probe.rs); {coexecve} becomes the coexecve row, or nothing.
CLI = """\
#!/bin/sh
case $1 in
--probe)
	echo "os                    freebsd"
	echo "pdfork                yes  works"
	{coexecve}
	echo "shared address space  yes"
	exit 0 ;;
--colocate-parent) shift 2; exec "$@" ;;
--) shift; exec "$@" ;;
esac
exit 125
"""

PROBE_ROWS = {
    "yes": 'echo "coexecve              yes  works"',
    "no": 'echo "coexecve              no   not a purecap build"',
    None: ":",
}

# Exits 124 on its own, long before any limit: not a timeout.
EXIT_124 = """\
#!/bin/sh
echo "running 1 test"
exit 124
"""

# Ignores TERM, so timeout(1) has to follow up with KILL.
STUBBORN = """\
#!/bin/sh
trap '' TERM
echo "running 1 test"
printf 'test stubborn::test_ignores_term ... '
sleep 30
"""


def make_build_dir(build_dir, hang=False, crash=False, exit_124=False, stubborn=False,
                   coexecve="no"):
    """Write the fakes under build_dir; return their cargo.Binary list.

    `coexecve` is what the fake CLI's --probe says: "yes", "no", or None
    for no coexecve row at all.
    """
    items = [("lib:colaunch", "deps/colaunch-1111", PASS),
             ("test:status", "deps/status-2222", FAIL)]
    if hang:
        items.append(("test:slow", "deps/slow-3333", HANG))
    if crash:
        items.append(("test:crash", "deps/crash-4444", CRASH))
    if exit_124:
        items.append(("test:own124", "deps/own124-5555", EXIT_124))
    if stubborn:
        items.append(("test:stubborn", "deps/stubborn-6666", STUBBORN))
    binaries = []
    for name, relative, body in items:
        write_exe(build_dir / relative, body)
        binaries.append(cargo.Binary(name, build_dir / relative, True))
    write_exe(build_dir / "colaunch", CLI.replace("{coexecve}", PROBE_ROWS[coexecve]))
    binaries.append(cargo.Binary("colaunch", build_dir / "colaunch", False))
    return binaries
