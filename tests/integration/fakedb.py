#!/usr/bin/env python3
"""A server that speaks just enough of a database protocol for health checks.

fakedb.py KIND PORTFILE [broken]
KIND: redis, pgsql, mysql. Writes the port it listens on to PORTFILE.
With 'broken' it answers as a failing server would: redis an error, pgsql
an ErrorResponse, mysql an error packet to the login.
"""
import socket
import struct
import sys
import threading

kind, portfile = sys.argv[1], sys.argv[2]
broken = len(sys.argv) > 3 and sys.argv[3] == "broken"


def recv_some(c, n=4096):
    try:
        return c.recv(n)
    except OSError:
        return b""


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


def serve(c):
    c.settimeout(5)
    try:
        if kind == "redis":
            data = recv_some(c)
            if data.startswith(b"PING"):
                c.sendall(b"-ERR loading\r\n" if broken else b"+PONG\r\n")
        elif kind == "pgsql":
            data = recv_some(c)
            if len(data) >= 8 and struct.unpack(">I", data[4:8])[0] == 196608:
                if broken:
                    msg = b"SFATAL\0Mthe database system is starting up\0\0"
                    c.sendall(b"E" + struct.pack(">I", len(msg) + 4) + msg)
                else:
                    # AuthenticationMD5Password: a real server asks this
                    c.sendall(b"R" + struct.pack(">II", 12, 5) + b"salt")
        elif kind == "mysql":
            greeting = (b"\x0a" + b"8.0.0-fake\0" + struct.pack("<I", 7) +
                        b"abcdefgh\0" + struct.pack("<H", 0xffff) +
                        b"\x21" + struct.pack("<H", 2) +
                        struct.pack("<H", 0x00ff) + b"\x15" + b"\0" * 10 +
                        b"ijklmnopqrst\0" + b"mysql_native_password\0")
            c.sendall(mysql_packet(0, greeting))
            login = recv_some(c)
            if len(login) > 36:
                user = login[36:].split(b"\0")[0]
                if broken or user != b"weir":
                    err = (b"\xff" + struct.pack("<H", 1045) + b"#28000" +
                           b"Access denied for user")
                    c.sendall(mysql_packet(2, err))
                else:
                    c.sendall(mysql_packet(2, b"\x00\x00\x00\x02\x00\x00\x00"))
                recv_some(c)
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
