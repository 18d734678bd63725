#!/usr/bin/env python3
"""packets.py — one line per packet of the pcap/pcapng files given, in
order: captured length and SHA-256 of the captured bytes. Written from the
file format specifications (standard library only), independently of
attrib and libpcap, so that the live tests can compare what tcpreplay sent
with what attrib preserved.

    python3 packets.py FILE...
    python3 packets.py --interface FILE   if_name and if_filter of the
                                          first interface of a pcapng file
    python3 packets.py --missing SENT GOT lists as printed above: prints how
                                          many packets of SENT, up to the last
                                          one in GOT, GOT lacks; exit 1 when
                                          GOT is not SENT's packets in order
"""
import hashlib
import struct
import sys


def pcap_packets(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        raise ValueError("not a pcap file")
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        body = data[off + 16:off + 16 + caplen]
        if len(body) != caplen:
            raise ValueError("truncated record at %d" % off)
        yield body
        off += 16 + caplen


def pcapng_packets(data):
    off = 0
    order = "<"
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            order = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(order + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            raise ValueError("bad block at %d" % off)
        if btype == 6:
            caplen = struct.unpack(order + "I", data[off + 20:off + 24])[0]
            yield data[off + 28:off + 28 + caplen]
        elif btype in (2, 3):
            raise ValueError("unexpected block type %d" % btype)
        off += blen
    if off != len(data):
        raise ValueError("trailing bytes at %d" % off)


def interface_options(data):
    """if_name (2) and if_filter (11) of the first Interface Description
    Block, little-endian sections only (what attrib writes)."""
    off = 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            raise ValueError("bad block at %d" % off)
        if btype == 1:
            opts, end = off + 16, off + blen - 4
            found = {}
            while opts + 4 <= end:
                code, olen = struct.unpack("<HH", data[opts:opts + 4])
                if code == 0:
                    break
                value = data[opts + 4:opts + 4 + olen]
                if code == 2:
                    found["if_name"] = value.decode()
                elif code == 11 and value[:1] == b"\x00":
                    found["if_filter"] = value[1:].decode()
                opts += 4 + olen + (-olen % 4)
            return found
        off += blen
    return {}


def missing(sent_path, got_path):
    with open(sent_path) as f:
        sent = f.read().splitlines()
    with open(got_path) as f:
        got = f.read().splitlines()
    pos = 0
    for line in got:
        while pos < len(sent) and sent[pos] != line:
            pos += 1
        if pos == len(sent):
            return None
        pos += 1
    return pos - len(got)


def main(paths):
    if paths and paths[0] == "--missing":
        n = missing(paths[1], paths[2])
        if n is None:
            sys.exit(1)
        print(n)
        return
    if paths and paths[0] == "--interface":
        with open(paths[1], "rb") as f:
            found = interface_options(f.read())
        print(" ".join("%s=%s" % kv for kv in sorted(found.items())))
        return
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        reader = pcapng_packets if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_packets
        for body in reader(data):
            print(len(body), hashlib.sha256(body).hexdigest())


if __name__ == "__main__":
    main(sys.argv[1:])
