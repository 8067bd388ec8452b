"""The kit's own files keep the project's style (shared/STYLE.md)."""

import re
import unittest

from .support import MORELLO, REPO

URL_ONLY = re.compile(r"^\s*(?:[-*]\s*)?(?:\[[^\]]*\]:\s*)?<?https?://\S+>?\s*$")
# Spelled in pieces so that this line is not itself taken for a marker by
# the repository's checks.
MARKERS = re.compile(r"\b(TO" r"DO|XX" r"X)\b|FIX" r"ME(?!\(#\d+\))")


def kit_files():
    found = [p for p in MORELLO.rglob("*") if p.is_file()
             and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    docs = REPO / "docs" / "morello.md"
    return found + ([docs] if docs.exists() else [])


def width(line):
    return len(line.expandtabs(8))


class TestStyle(unittest.TestCase):
    def test_line_widths(self):
        long_lines = []
        for path in kit_files():
            python = path.suffix == ".py" or path.name == "run-tests"
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if URL_ONLY.match(line):
                    continue
                is_prose = not python or line.lstrip().startswith("#")
                limit = 80 if is_prose else 100
                if width(line) > limit:
                    long_lines.append(f"{path.relative_to(REPO)}:{number}: {width(line)}")
        self.assertEqual(long_lines, [])

    def test_no_bare_markers(self):
        marked = []
        for path in kit_files():
            if path.name == "test_style.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if MARKERS.search(line):
                    marked.append(f"{path.relative_to(REPO)}:{number}")
        self.assertEqual(marked, [])


if __name__ == "__main__":
    unittest.main()
