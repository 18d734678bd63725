#!/usr/bin/env python3
"""hostile_pcap.py OUT.pcap -- writes a small capture whose HTTP request
carries markup and Markdown in its URL, Host and User-Agent: what an
attacker who knows the capture will be reported on could send. The report
tests check that no report format lets any of it act as markup.
"""
import struct
import sys

URL = b"/<script>alert('url')</script>?q=[x](http://evil.test/)"
HOST = b"<img src=x onerror=alert(1)>.example"
UA = (b"\"><svg onload=alert(2)> ](javascript:alert(3)) | `tick` "
      b"<style>body{display:none}</style> \xe2\x80\xae evil")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    c, s = bytes([10, 0, 0, 7]), bytes([203, 0, 113, 66])
    req = (b"GET " + URL + b" HTTP/1.1\r\nHost: " + HOST +
           b"\r\nUser-Agent: " + UA + b"\r\nAccept: */*\r\n\r\n")
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    pkts = [packet(c, s, 40000, 80, 1000, 0, 0x02),
            packet(s, c, 80, 40000, 5000, 1001, 0x12),
            packet(c, s, 40000, 80, 1001, 5001, 0x10),
            packet(c, s, 40000, 80, 1001, 5001, 0x18, req),
            packet(s, c, 80, 40000, 5001, 1001 + len(req), 0x18, resp),
            packet(c, s, 40000, 80, 1001 + len(req), 5001 + len(resp), 0x11),
            packet(s, c, 80, 40000, 5001 + len(resp), 1002 + len(req), 0x11)]
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1709540000 + i, 0, len(p), len(p)))
            f.write(p)


if __name__ == "__main__":
    main()
