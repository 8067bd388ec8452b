"""Reading libtest output into test cases."""

import unittest

from morello_run import junit, libtest

OUTPUT = """\

running 5 tests
test spawn::test_spawn_echo ... ok
test spawn::test_spawn_bad_path ... FAILED
test spawn::test_colocate ... ignored, needs coexecve (#7)
test spawn::test_plain_ignored ... ignored
test spawn::test_timed ... ok <0.002s>

failures:

---- spawn::test_spawn_bad_path stdout ----

thread 'spawn::test_spawn_bad_path' panicked at tests/spawn/main.rs:10:5:
assertion `left == right` failed
  left: 2
 right: 3

failures:
    spawn::test_spawn_bad_path

test result: FAILED. 2 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s

"""


class TestLibtest(unittest.TestCase):
    def test_parse_outcomes(self):
        cases = libtest.parse(OUTPUT)
        self.assertEqual([(c.name, c.status) for c in cases], [
            ("spawn::test_spawn_echo", junit.PASSED),
            ("spawn::test_spawn_bad_path", junit.FAILED),
            ("spawn::test_colocate", junit.SKIPPED),
            ("spawn::test_plain_ignored", junit.SKIPPED),
            ("spawn::test_timed", junit.PASSED),
        ])
        self.assertEqual(cases[2].message, "needs coexecve (#7)")

    def test_parse_failure_detail(self):
        failed = libtest.parse(OUTPUT)[1]
        self.assertIn("panicked at tests/spawn/main.rs:10:5", failed.message)
        self.assertIn("assertion `left == right` failed", failed.message)
        self.assertIn("left: 2", failed.output)
        self.assertNotIn("failures:", failed.output)

    def test_parse_nocapture_result_on_later_line(self):
        text = "test a::b ... hello from the test\nmore\nok\ntest a::c ... FAILED\n"
        cases = libtest.parse(text)
        self.assertEqual([(c.name, c.status) for c in cases],
                         [("a::b", junit.PASSED), ("a::c", junit.FAILED)])

    def test_parse_binary_died_mid_test(self):
        cases = libtest.parse("running 2 tests\ntest a::first ... ok\ntest a::second ... ")
        self.assertEqual(cases[1].name, "a::second")
        self.assertEqual(cases[1].status, junit.ERROR)
        self.assertIn("ended while this test was running", cases[1].message)

    def test_parse_ignores_result_line_and_noise(self):
        self.assertEqual(libtest.parse("test result: ok. 0 passed\nrandom text\n"), [])


if __name__ == "__main__":
    unittest.main()
