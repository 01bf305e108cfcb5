#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ntlm-fields: the user, domain and flags of the last NTLM AUTHENTICATE
message (type 3) in a SIPp message trace, for t-sipe-challenge.sh.

    ntlm-fields.py TRACE

Finds the last gssapi-data="TlRMTVNTUAAD..." in TRACE (SIPp's
-message_file) and prints "user=U domain=D flags=0xFFFFFFFF" from its
UserName and DomainName fields and NegotiateFlags ([MS-NLMP] 2.2.1.3).

Exit status: 0 printed, 1 no AUTHENTICATE in TRACE."""
import base64
import re
import struct
import sys


def main():
    path = sys.argv[1]
    text = open(path, errors="replace").read()
    tokens = re.findall(r'gssapi-data="(TlRMTVNTUAAD[^"]*)"', text)
    if not tokens:
        sys.exit("no NTLM AUTHENTICATE in " + path)
    b = base64.b64decode(tokens[-1])

    def field(off):
        ln, _, at = struct.unpack_from("<HHI", b, off)
        return b[at:at + ln].decode("utf-16-le")

    flags = struct.unpack_from("<I", b, 60)[0]
    print("user=%s domain=%s flags=0x%08x" % (field(36), field(28), flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
