#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench/soak.sh: an hour of legitimate load on one sipsad under attack,
# with its memory, descriptors and CPU sampled every minute.  Not run by
# make check or CI.  One sipsad (the release build of the build
# directory) over a throwaway realm carries signed REGISTER refreshes over
# TCP (tools/sipsa-bench) at half the highest rate it sustains, while
# bench/attack.py floods it with unauthenticated REGISTERs and NTLM first
# legs over UDP, keeps one TCP connection of unauthenticated REGISTERs
# that never reads, and guesses an account's password, each from its own
# loopback address.  Every legitimate request must succeed and sipsad
# must live through it.  See bench/README.md ("The soak").
#
#   bench/soak.sh [--duration S] [--out FILE.json] [--build DIR] ...
#
# Run it from a configured build directory (or pass --build DIR); all the
# options are in bench/soak.py (bench/soak.sh --help), sipsad's
# configuration in the block commented there (SIPSAD_CONF).  Exit status
# 0 pass, 1 fail (a legitimate request failed, sipsad died or did not
# exit 0 at SIGTERM), 2 the run could not start.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin
export PATH
for tool in python3 taskset nice ss kdb5_util krb5kdc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "soak.sh: $tool is missing" >&2
		exit 2
	fi
done
if [ "$(nproc)" -lt 2 ]; then
	echo "soak.sh: needs 2 CPUs (sipsad and the load apart)" >&2
	exit 2
fi
# The attackers bind 127.0.0.2 and 127.0.0.3 (Linux routes all of
# 127.0.0.0/8 to lo).
exec python3 "$here/soak.py" "$@"
