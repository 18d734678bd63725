#!/usr/bin/env python3
"""pppoe_pfc.py — writes a small Ethernet pcap of a PPPoE session whose PPP
protocol field is compressed (RFC 1661: one byte 0x21 for IPv4): a TCP
handshake and an HTTP request with a user agent, plus an ARP request and a
PPP LCP echo (no IP: counted as link_non_ip).  usage: pppoe_pfc.py OUT.pcap"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64,
                    proto, 0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                    65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", bytes(src), bytes(dst), 0, 6,
                         len(h) + len(data))
    c = csum(pseudo + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def pppoe(ppp):
    return (bytes.fromhex("020000000001 020000000002 8864") +
            struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp)


def main():
    c, s = [10, 0, 0, 1], [192, 0, 2, 80]
    get = (b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
           b"User-Agent: pfc-test-agent/1.0\r\n\r\n")
    frames = [
        bytes.fromhex("ffffffffffff 020000000001 0806") + bytes(28),
        pppoe(bytes.fromhex("c021 09 01 0008 00000000")),
        pppoe(b"\x21" + ipv4(c, s, 6, tcp(c, s, 40000, 80, 1000, 0, 0x02))),
        pppoe(b"\x21" + ipv4(s, c, 6, tcp(s, c, 80, 40000, 5000, 1001,
                                          0x12))),
        pppoe(b"\x21" + ipv4(c, s, 6, tcp(c, s, 40000, 80, 1001, 5001,
                                          0x10))),
        pppoe(b"\x21" + ipv4(c, s, 6, tcp(c, s, 40000, 80, 1001, 5001,
                                          0x18, get))),
    ]
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
