"""The test suite, a package so that its modules and helpers have one name each: `tests.…`."""
