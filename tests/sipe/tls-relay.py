#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tls-relay: a TLS front end for a plain-TCP SIPp stand-in, so that the
driver's TLS path (handshake, certificate prompt, --tls-accept-any) can be
tested without sipsad (t-sipe-driver.sh; SIPp itself is built without TLS).

    tls-relay.py CERT KEY LISTEN_PORT BACKEND_PORT

Accepts TLS connections on 127.0.0.1:LISTEN_PORT and relays each one, byte
for byte, to a new TCP connection to 127.0.0.1:BACKEND_PORT.  Runs until
killed."""
import selectors
import socket
import ssl
import sys


def main():
    cert, key, port, backend = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(8)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    peers = {}

    def close(s):
        for x in (s, peers.pop(s, None)):
            if x is not None:
                peers.pop(x, None)
                try:
                    sel.unregister(x)
                except (KeyError, ValueError):
                    pass
                x.close()

    while True:
        for k, _ in sel.select():
            s = k.fileobj
            if s is lsock:
                c, _ = lsock.accept()
                try:
                    c = ctx.wrap_socket(c, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    print("tls-relay: handshake failed:", e, flush=True)
                    c.close()
                    continue
                b = socket.create_connection(("127.0.0.1", backend))
                peers[c], peers[b] = b, c
                sel.register(c, selectors.EVENT_READ, None)
                sel.register(b, selectors.EVENT_READ, None)
                print("tls-relay: connection relayed", flush=True)
                continue
            if s not in peers:
                continue
            try:
                data = s.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            peers[s].sendall(data)


if __name__ == "__main__":
    main()
