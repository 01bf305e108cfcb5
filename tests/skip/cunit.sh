#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Stands in for the unit tests when configure found no CUnit: says what
# was not built and skips (exit 77), or fails when CI=true, where nothing
# may be skipped.
echo "cunit: configure found no CUnit, so the unit tests (tests/unit/unit," \
    "tests/mech, tests/pipeline) were not built; install the Debian" \
    "package libcunit1-dev and run configure again"
[ "${CI:-}" = true ] && exit 1
exit 77
