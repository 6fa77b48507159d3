# tests/tests.mk: CUnit tests, run by `make check`.
