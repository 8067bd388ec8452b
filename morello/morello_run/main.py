"""Entry point of `morello/run-tests`: pick the mode, parse, run."""

import sys
from pathlib import Path

from . import options, plan, runner

REPO = Path(__file__).resolve().parents[2]


def main(argv=None, repo=REPO, env=None):
    """Run the command line `argv` and return the exit status."""
    try:
        return _main(argv, repo, env)
    except BrokenPipeError:
        # Only output-only paths get here (--help, a runner dry run): a test
        # run handles a closed stdout itself and keeps its own status. The
        # reader took what it wanted, as with `cat file | head`.
        plan.silence_stdout()
        return options.EXIT_OK


def _main(argv, repo, env):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--runner"]:
        return runner.run(options.parse_runner_args(argv[1:], env), env=env)
    settings = options.parse_args(argv, repo, env)
    return plan.Plan(settings).execute()
