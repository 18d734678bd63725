#!/usr/bin/env python3
"""capfmt.py — captures libpcap refuses or cannot open, read by attrib's own
pcapng reader and gzip input (pcaps/fixtures/make-capfmt.py):

  * multisnap.pcapng (interfaces with different snap lengths and link
    types; libpcap stops at the second interface), multisnap.pcapng.gz and
    dns-http.pcap.gz (two gzip members), each also under a name without
    .gz (found by magic bytes), ingest; frame numbers, times, DNS names
    and HTTP user agents equal tshark's for the same file;
  * the source's SHA-256 is the file as stored; for .gz, custody also
    holds the SHA-256 of the decompressed stream;
  * `attrib verify` says intact, then TAMPERED after one byte is flipped
    (in a cited packet's data for pcapng; anywhere in the compressed
    file for .gz);
  * real captures of the shared set (1kxun.pcap, alexa-app.pcapng), when
    present, gzip-compressed: the same observations (frame, offset,
    length, kind, value, packet hash) as the plain file, verify intact;
  * a decompression bomb (a small .gz that expands to BOMB_MIB MiB) is
    streamed: ingest's peak memory stays under RSS_LIMIT_MIB and custody
    holds the right SHA-256 of the whole decompressed stream;
  * a pcapng cut inside a block, or with a block length broken in its
    second section, ends in a clear error naming the block's offset —
    never a crash.

usage: capfmt.py ATTRIB
"""
import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "pcaps", "fixtures")
FIXTURES = ["multisnap.pcapng", "multisnap.pcapng.gz", "dns-http.pcap.gz",
            "snaplen-short.pcapng", "byteorder.pcapng"]
failures = 0
BOMB_MIB = 512
RSS_LIMIT_MIB = 200


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def fail(msg):
    global failures
    failures += 1
    print("capfmt: " + msg)


def tshark_values(path):
    """{(frame, kind): set(values)} and {frame: ts_us} as tshark reads."""
    r = run("tshark", "-r", path, "-T", "fields", "-E", "separator=|",
            "-e", "frame.number", "-e", "frame.time_epoch",
            "-e", "dns.qry.name", "-e", "http.user_agent")
    vals, times = {}, {}
    for line in r.stdout.splitlines():
        num, ts, qname, ua = (line.split("|") + ["", "", "", ""])[:4]
        frame = int(num)
        if ts:
            sec, _, frac = ts.partition(".")
            times[frame] = int(sec) * 1000000 + int((frac + "000000")[:6])
        if qname:
            vals.setdefault((frame, "dns.query"), set()).add(qname)
        if ua:
            vals.setdefault((frame, "http.user_agent"), set()).add(ua)
    return vals, times


def attrib_values(db):
    r = run("sqlite3", "-separator", "|", db,
            "SELECT frame, kind, value, ts_us FROM observations WHERE kind "
            "IN ('dns.query','http.user_agent','ip.src','ip.dst',"
            "'ndpi.proto','anomaly')")
    vals, times = {}, {}
    for line in r.stdout.splitlines():
        frame, kind, value, ts = line.split("|")
        times[int(frame)] = int(ts)
        if kind in ("dns.query", "http.user_agent"):
            vals.setdefault((int(frame), kind), set()).add(value)
    return vals, times


def check_one(work, name, as_name):
    cap = os.path.join(work, as_name)
    shutil.copy(os.path.join(FIX, name), cap)
    db = cap + ".db"
    r = run(attrib, "ingest", "--db", db, cap)
    if r.returncode != 0:
        fail("%s: ingest exit %d: %s" % (as_name, r.returncode, r.stderr))
        return
    stored = hashlib.sha256(open(cap, "rb").read()).hexdigest()
    got = run("sqlite3", db, "SELECT sha256 || ' ' || format FROM sources").stdout.split()
    if not got or got[0] != stored:
        fail("%s: source sha256 %s, file as stored %s" % (as_name, got, stored))
    if name.endswith(".gz"):
        plain = hashlib.sha256(gzip.open(cap).read()).hexdigest()
        detail = run("sqlite3", db, "SELECT detail FROM custody WHERE action='ingest'").stdout
        if "decompressed-sha256 " + plain not in detail:
            fail("%s: custody lacks decompressed-sha256 %s: %s" % (as_name, plain, detail))
        if not got or not got[1].endswith("+gzip"):
            fail("%s: format %s, expected …+gzip" % (as_name, got))
    want, want_t = tshark_values(cap)
    have, have_t = attrib_values(db)
    # A record cut at its interface's snap length is flagged snaplen_cut
    # and its HTTP left unparsed by attrib (tshark shows the complete
    # lines): compared only for frames attrib read whole.
    cut = {int(f) for f in run("sqlite3", db, "SELECT frame FROM observations "
                               "WHERE kind='anomaly' AND value='snaplen_cut'"
                               ).stdout.split()}
    want = {k: v for k, v in want.items() if k[0] not in cut}
    if want != have:
        fail("%s: values differ from tshark:\n  tshark %s\n  attrib %s"
             % (as_name, sorted(want.items()), sorted(have.items())))
    for frame, ts in have_t.items():
        if frame not in want_t and ts == 0:
            continue  # a simple packet block has no time
        if frame not in want_t:
            fail("%s: frame %d unknown to tshark" % (as_name, frame))
        elif ts != want_t[frame] and ts != 0:
            fail("%s: frame %d at %d µs, tshark %d" % (as_name, frame, ts, want_t[frame]))
    frames = run("sqlite3", db, "SELECT count(DISTINCT frame), max(frame) FROM observations").stdout.strip()
    tshark_n = len(run("tshark", "-r", cap, "-T", "fields", "-e", "frame.number").stdout.split())
    if frames != "%d|%d" % (tshark_n, tshark_n):
        fail("%s: frames cited (distinct|max) %s, tshark reads %d" % (as_name, frames, tshark_n))
    r = run(attrib, "verify", "--db", db)
    if r.returncode != 0 or "verdict: intact" not in r.stdout:
        fail("%s: untouched: verify exit %d: %s" % (as_name, r.returncode, r.stdout + r.stderr))
        return
    data = bytearray(open(cap, "rb").read())
    if name.endswith(".gz"):
        at = len(data) // 2
    else:
        off, caplen = run("sqlite3", "-separator", " ", db,
                          "SELECT file_offset, caplen FROM observations "
                          "WHERE kind='dns.query' ORDER BY frame DESC LIMIT 1"
                          ).stdout.split()
        at = int(off) + 28 + int(caplen) // 2
    data[at] ^= 0x40
    open(cap, "wb").write(bytes(data))
    r = run(attrib, "verify", "--db", db)
    if "TAMPERED" not in r.stdout:
        fail("%s: byte %d flipped: verify did not say TAMPERED: %s" % (as_name, at, r.stdout))
    print("capfmt: %s: %d frames as tshark, %d values equal, verify intact, "
          "flipped byte %d → TAMPERED" % (as_name, tshark_n, len(want), at))


def check_broken(work):
    raw = open(os.path.join(FIX, "multisnap.pcapng"), "rb").read()
    cut = os.path.join(work, "cut.pcapng")
    open(cut, "wb").write(raw[:1200])
    bad = bytearray(raw)
    second = raw.index(bytes.fromhex("0a0d0d0a"), 8)
    bad[second + 4:second + 8] = b"\x00\x00\x00\x0d"  # length 13
    broken = os.path.join(work, "badlen.pcapng")
    open(broken, "wb").write(bytes(bad))
    for path, at in ((cut, 1188), (broken, second)):
        r = run(attrib, "ingest", "--db", path + ".db", path)
        msg = "block at offset %d" % at
        if r.returncode not in (1, 2) or msg not in r.stderr:
            fail("%s: ingest exit %d, expected an error naming '%s': %s"
                 % (os.path.basename(path), r.returncode, msg, r.stderr))
        else:
            print("capfmt: %s: %s" % (os.path.basename(path), r.stderr.strip().splitlines()[-1]))


SHARED = os.path.join(ROOT, "..", "shared", "pcaps", "ndpi")
OBS = ("SELECT frame, file_offset, caplen, kind, value, packet_sha256 "
       "FROM observations ORDER BY frame, kind, value, file_offset")


def check_shared_gz(work):
    for name in ("1kxun.pcap", "alexa-app.pcapng"):
        src = os.path.join(SHARED, name)
        if not os.path.exists(src):
            print("capfmt: %s absent: skipped" % name)
            continue
        plain = os.path.join(work, name)
        shutil.copy(src, plain)
        packed = plain + ".gz"
        with open(packed, "wb") as f:
            f.write(gzip.compress(open(src, "rb").read(), 6, mtime=0))
        for p in (plain, packed):
            r = run(attrib, "ingest", "--db", p + ".db", p)
            if r.returncode != 0:
                fail("%s: ingest exit %d: %s" % (p, r.returncode, r.stderr))
                return
        a = run("sqlite3", plain + ".db", OBS).stdout
        b = run("sqlite3", packed + ".db", OBS).stdout
        if a != b or not a:
            fail("%s.gz: observations differ from the plain file's" % name)
        r = run(attrib, "verify", "--db", packed + ".db")
        reread = [l for l in r.stdout.splitlines() if l.startswith("cited packets")]
        if "verdict: intact" not in r.stdout:
            fail("%s.gz: verify: %s" % (name, r.stdout + r.stderr))
        else:
            print("capfmt: %s.gz: %d observations as the plain file's; verify intact (%s)"
                  % (name, len(a.splitlines()), reread[0] if reread else "?"))


def check_bomb(work):
    """A pcap header, one record claiming 2 GiB, then zeros."""
    path = os.path.join(work, "bomb.pcap.gz")
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + \
        struct.pack("<IIII", 0, 0, 0x7FFFFFF0, 0x7FFFFFF0)
    zero = bytes(1 << 20)
    plain = hashlib.sha256(head)
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(comp.compress(head))
        for _ in range(BOMB_MIB):
            f.write(comp.compress(zero))
            plain.update(zero)
        f.write(comp.flush())
    size = os.path.getsize(path)
    r = run("/usr/bin/time", "-f", "maxrss_kib %M", attrib, "ingest",
            "--db", path + ".db", path)
    rss = [int(l.split()[1]) for l in r.stderr.splitlines()
           if l.startswith("maxrss_kib ")]
    detail = run("sqlite3", path + ".db",
                 "SELECT detail FROM custody WHERE action='ingest'").stdout
    if not rss or rss[0] > RSS_LIMIT_MIB * 1024:
        fail("bomb: peak memory %s KiB, limit %d MiB: %s" % (rss, RSS_LIMIT_MIB, r.stderr))
    elif "decompressed-sha256 " + plain.hexdigest() not in detail:
        fail("bomb: custody lacks the stream's SHA-256: %s" % detail)
    else:
        print("capfmt: bomb: %d KiB expanding to %d MiB: ingest peak memory %d MiB, "
              "decompressed-sha256 recorded" % (size // 1024, BOMB_MIB, rss[0] // 1024))


def main():
    global attrib
    attrib = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp()
    try:
        for name in FIXTURES:
            check_one(work, name, name)
            if name.endswith(".gz"):
                check_one(work, name, "renamed-" + name[:-3].replace(".", "-"))
        check_broken(work)
        check_shared_gz(work)
        check_bomb(work)
    finally:
        shutil.rmtree(work)
    print("capfmt: %s" % ("ok" if failures == 0 else "%d failures" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
