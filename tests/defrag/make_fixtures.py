#!/usr/bin/env python3
"""make_fixtures.py — writes small pcaps of fragmented DNS responses for the
reassembly tests (tests/defrag/run.sh): each holds a query and its large
response (A records 192.0.2.1.., or AAAA 2001:db8::1..) split into IP
fragments.  usage: make_fixtures.py OUTDIR

  v4-inorder.pcap    IPv4, fragments in order
  v4-reverse.pcap    IPv4, fragments last first
  v4-overlap.pcap    IPv4, an extra fragment overlapping the middle with
                     different bytes (first-arrived bytes kept: the
                     answers stay those of the original fragments)
  v4-missing.pcap    IPv4, the middle fragment never arrives
  v4-toomany.pcap    IPv4, 80 fragments of 8 bytes (over the bound of 64)
  v6-inorder.pcap    IPv6, fragment header, AAAA answers, out of order
"""
import os
import struct
import sys

C4, S4 = bytes([10, 0, 0, 7]), bytes([192, 0, 2, 53])
C6 = bytes.fromhex("20010db8000000000000000000000007")
S6 = bytes.fromhex("20010db8000000000000000000000053")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns(resp, qtype, n):
    flags = 0x8180 if resp else 0x0100
    body = qname("big.example.com") + struct.pack("!HH", qtype, 1)
    ans = b""
    for i in range(n if resp else 0):
        if qtype == 1:
            rd = bytes([192, 0, 2, 1 + i])
        else:
            rd = bytes.fromhex("20010db8" + "00" * 10) + struct.pack("!H", 1 + i)
        ans += struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rd)) + rd
    return struct.pack("!HHHHHH", 0x1234, flags, 1, n if resp else 0, 0, 0) + body + ans


def udp(sport, dport, payload, src, dst, v6=False):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    if v6:
        ps = src + dst + struct.pack("!IxxxB", 8 + len(payload), 17)
    else:
        ps = src + dst + struct.pack("!BBH", 0, 17, 8 + len(payload))
    c = csum(ps + h + payload) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + payload


def eth(ethertype, payload):
    return bytes.fromhex("020000000001020000000002") + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, payload, ident=7, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag,
                    64, 17, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(0x0800, h + payload)


def v4_fragments(src, dst, l4, size, ident=7):
    out = []
    for off in range(0, len(l4), size):
        more = off + size < len(l4)
        out.append((off, ipv4(src, dst, l4[off:off + size], ident,
                              (0x2000 if more else 0) | off // 8)))
    return out


def ipv6(src, dst, nh, payload):
    return eth(0x86DD, struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + dst + payload)


def v6_fragments(src, dst, l4, size, ident=0x99):
    out = []
    for off in range(0, len(l4), size):
        more = off + size < len(l4)
        fh = struct.pack("!BBHI", 17, 0, off | (1 if more else 0), ident)
        out.append((off, ipv6(src, dst, 44, fh + l4[off:off + size])))
    return out


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, 1000 * i, len(fr), len(fr)))
            f.write(fr)


def main():
    out = sys.argv[1]
    q4 = ipv4(C4, S4, udp(40000, 53, dns(False, 1, 0), C4, S4), ident=6)
    r4 = udp(53, 40000, dns(True, 1, 100), S4, C4)
    fr = [f for _, f in v4_fragments(S4, C4, r4, 512)]
    write(os.path.join(out, "v4-inorder.pcap"), [q4] + fr)
    write(os.path.join(out, "v4-reverse.pcap"), [q4] + fr[::-1])
    bad = bytearray(r4[512:1024])
    bad[100:200] = b"\xee" * 100
    evil = ipv4(S4, C4, bytes(bad), 7, 0x2000 | 512 // 8)
    write(os.path.join(out, "v4-overlap.pcap"), [q4, fr[0], fr[1], evil] + fr[2:])
    write(os.path.join(out, "v4-missing.pcap"), [q4, fr[0]] + fr[2:])
    small = udp(53, 40000, dns(True, 1, 2), S4, C4)
    tiny = [f for _, f in v4_fragments(S4, C4, small + bytes(640 - len(small)), 8, ident=9)]
    write(os.path.join(out, "v4-toomany.pcap"), [q4] + tiny)
    q6 = ipv6(C6, S6, 17, udp(40001, 53, dns(False, 28, 0), C6, S6, True))
    r6 = udp(53, 40001, dns(True, 28, 60), S6, C6, True)
    f6 = [f for _, f in v6_fragments(S6, C6, r6, 512)]
    write(os.path.join(out, "v6-inorder.pcap"), [q6, f6[1], f6[0]] + f6[2:])


if __name__ == "__main__":
    main()
