"""Build colaunch for Morello and run its tests in a QEMU-Morello guest.

`morello/run-tests` is the command; this package holds its parts so that the
unit tests in `morello/tests/` can import them:

- `options`: the command line, for the test run and for the cargo runner;
- `cargo`: the cargo commands and the reading of their JSON messages;
- `prereqs`: the tools a run needs and how to get each one;
- `plan`: the steps of a run, printed by `--dry-run` or carried out;
- `guest`: the files the guest script reads, and the ssh transport;
- `libtest`: reading the output of one Rust test binary;
- `report`: turning the guest's results into a summary and JUnit XML;
- `junit`: the JUnit XML writer;
- `runner`: the `CARGO_TARGET_<TRIPLE>_RUNNER` mode.

Only the Python 3 standard library is used, so the kit runs on any host
that can run cheribuild.
"""
