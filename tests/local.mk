# tests/: integration and golden tests (unit tests: Makefile.am).
