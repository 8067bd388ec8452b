"""Unit tests of morello/run-tests; run `python3 -m unittest discover -s
morello/tests -t morello` from the repository root."""
