#!/usr/bin/env python3
"""snaplen.py — captures whose records are longer than the file's snaplen
(pcaps/fixtures/snaplen-*.pcap, made by make-snaplen.py), and one of
format 2.0 whose record lengths stand in each other's place, ingest with the
anomaly record_over_snaplen per such record, cite the records as stored
and verify intact; then every byte of the capture is flipped in turn and
`attrib verify` must say TAMPERED each time, and name a changed packet
whenever the byte lies in a cited record's data (also past the snaplen).

usage: snaplen.py ATTRIB
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = ["snaplen-short.pcap", "snaplen-13.pcap", "snaplen-exact.pcap",
            "lengths-swapped.pcap"]


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def records(data):
    """(record start, data start, stored length) of each pcap record."""
    snaplen = struct.unpack_from("<I", data, 16)[0]
    minor = struct.unpack_from("<H", data, 6)[0]
    # format 2.0-2.2: the captured length is in the wire length's place
    at = 12 if minor < 3 else 8
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + at)[0]
        out.append((off, off + 16, caplen))
        off += 16 + caplen
    return snaplen, out


def main():
    attrib = os.path.abspath(sys.argv[1])
    failures = 0
    flips = 0
    work = tempfile.mkdtemp()
    try:
        for name in FIXTURES:
            cap = os.path.join(work, name)
            shutil.copy(os.path.join(ROOT, "pcaps", "fixtures", name), cap)
            db = os.path.join(work, name + ".db")
            r = run(attrib, "ingest", "--db", db, cap)
            if r.returncode != 0:
                print("snaplen: %s: ingest exit %d: %s" % (name, r.returncode, r.stderr))
                failures += 1
                continue
            raw = open(cap, "rb").read()
            snaplen, recs = records(raw)
            over = sum(1 for _, _, n in recs if n > snaplen)
            got = run("sqlite3", db, "SELECT coalesce(sum(count),0) FROM anomalies "
                      "WHERE name='record_over_snaplen'").stdout.strip()
            if got != str(over):
                print("snaplen: %s: %s record_over_snaplen, expected %d" % (name, got, over))
                failures += 1
            cited = run("sqlite3", db, "SELECT DISTINCT file_offset || ' ' || caplen "
                        "FROM observations").stdout.split("\n")
            cited = {tuple(map(int, c.split())) for c in cited if c}
            for start, _, n in recs:
                if n > snaplen and (start, n) not in cited:
                    print("snaplen: %s: record at %d (%d bytes stored) not cited as stored"
                          % (name, start, n))
                    failures += 1
            head = db + ".head"
            r = run(attrib, "verify", "--db", db, "--head", head)
            if r.returncode != 0 or "verdict: intact" not in r.stdout:
                print("snaplen: %s: untouched capture: verify exit %d: %s"
                      % (name, r.returncode, r.stdout + r.stderr))
                failures += 1
                continue
            data_bytes = {}
            for start, at, n in recs:
                if (start, n) in cited:
                    for i in range(at, at + n):
                        data_bytes[i] = n > snaplen and i >= at + snaplen
            every = 1 if os.environ.get("SNAPLEN_ALL_BYTES") else 13
            for i in range(len(raw)):
                if i % every and not data_bytes.get(i):
                    continue
                flipped = bytearray(raw)
                flipped[i] ^= 0xFF
                open(cap, "wb").write(flipped)
                r = run(attrib, "verify", "--db", db, "--head", head)
                flips += 1
                if r.returncode != 1:
                    print("snaplen: %s: byte %d flipped: verify exit %d" % (name, i, r.returncode))
                    failures += 1
                elif i in data_bytes and ", wrong 0," in r.stdout:
                    print("snaplen: %s: byte %d%s of a cited record flipped: no packet named"
                          % (name, i, " (past the snaplen)" if data_bytes[i] else ""))
                    failures += 1
            open(cap, "wb").write(raw)
    finally:
        shutil.rmtree(work)
    print("snaplen: %d captures, %d byte flips, %d failures" % (len(FIXTURES), flips, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
