#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/benchcheck.py: check the JSON result of a sipsa-bench
run (--json) for t-bench-smoke.sh.

  benchcheck.py RESULT.json [--count N] [--eq KEY=N]... [--min KEY=N]...

--count N: N operations completed, none failed (failed, failures and
setup_failed all zero), at least N rspauth verified and a maximum latency
above zero.  --eq KEY=N: the top-level number KEY is N.  --min KEY=N: it
is at least N.  Every check given must hold.

Exit status: 0 all hold, 1 one does not (it is named on stderr), 2 usage
or an unreadable result."""
import argparse
import json
import sys


def pair(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not KEY=N: {text}")
    return key, int(value)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("result")
    ap.add_argument("--count", type=int)
    ap.add_argument("--eq", type=pair, action="append", default=[])
    ap.add_argument("--min", type=pair, action="append", default=[])
    a = ap.parse_args()
    try:
        with open(a.result) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        print(f"benchcheck: {a.result}: {e}", file=sys.stderr)
        return 2
    bad = []
    if a.count is not None:
        n = a.count
        if not (r["completed"] == n and r["failed"] == 0
                and not r["failures"] and r["setup_failed"] == 0
                and r["rspauth_verified"] >= n
                and r["latency_ms"]["max"] > 0):
            bad.append(f"not {n} operations all completed and verified")
    bad += [f"{k} is {r.get(k)}, not {v}" for k, v in a.eq
            if r.get(k) != v]
    bad += [f"{k} is {r.get(k)}, below {v}" for k, v in a.min
            if r.get(k) is None or r[k] < v]
    for b in bad:
        print(f"benchcheck: {a.result}: {b}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
