#!/usr/bin/env python3
"""tshark_compare.py -- helper of tshark-indicators.sh.

  tshark_compare.py attrib-dump WORKDIR/CAP   (stdin: attrib indicators --json)
  tshark_compare.py report WORKDIR LOGFILE

attrib-dump keeps the five compared kinds of attrib's JSON lines and writes
CAP.a as "kind<TAB>value<TAB>frame".  report reads every CAP.a and CAP.t
(tshark -T fields output: frame, frame.protocols, then the five fields),
compares the distinct values per capture and kind, writes each
disagreement with a reason to LOGFILE, prints the per-kind table and exits
1 when a kind is below 99% in either direction.
"""
import collections
import json
import os
import subprocess
import sys

KINDS = ["dns.query", "tls.sni", "tls.ja3", "http.host", "http.user_agent"]
TUNNELS = ("vxlan", "capwap", "gtp", "gre", "tzsp", "erspan", "l2tp",
           "teredo", "geneve", "nsh")
# Carriers of TLS that attrib does not unwrap.
CARRIERS = {"openvpn": "TLS inside OpenVPN not decoded by attrib",
            "proxy": "TLS after PROXY-protocol header not decoded by attrib",
            "rdpudp": "TLS inside RDP-UDP not decoded by attrib"}


def tunnels(ls):
    return sorted(set(t for t in TUNNELS for l in ls
                      if l == t or l.startswith(t + ".")))


def norm(kind, value):
    # JA3 is a hex digest: case carries no meaning.  Every other value is
    # compared exactly as written.
    return value.lower() if kind == "tls.ja3" else value


def attrib_dump(base):
    with open(base + ".a", "w") as out:
        for line in sys.stdin:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if o.get("kind") in KINDS:
                v = str(o.get("value", "")).replace("\t", " ").replace("\n", " ")
                out.write("%s\t%s\t%s\n" % (o["kind"], v, o.get("frame", "")))


def read_tshark(path):
    """{kind: {value: set(protocol stacks)}}, {frame: protocol stack}"""
    vals = {k: collections.defaultdict(set) for k in KINDS}
    frames = {}
    if not os.path.exists(path):
        return vals, frames
    with open(path, errors="replace") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            cols += [""] * (7 - len(cols))
            frame, protos = cols[0], cols[1]
            frames[frame] = protos
            for kind, field in zip(KINDS, cols[2:7]):
                # occurrence=a with aggregator TAB-free "\x1f" separator.
                for v in field.split("\x1f"):
                    if v:
                        vals[kind][norm(kind, v)].add(protos)
    return vals, frames


def read_attrib(path):
    vals = {k: collections.defaultdict(set) for k in KINDS}
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 2 and cols[0] in KINDS:
                    vals[cols[0]][norm(cols[0], cols[1])].add(
                        cols[2] if len(cols) > 2 else "")
    return vals


def layers(stack):
    return stack.split(":")


def reason_tshark_only(kind, value, stacks, avals):
    ls = set()
    for s in stacks:
        ls.update(layers(s))
    if any(v.lower() == value.lower() or v.rstrip(".") == value.rstrip(".")
           for v in avals):
        return "spelling differs (case/trailing dot)"
    if value.startswith("<") and value.endswith(">"):
        return "tshark placeholder for an undecodable name"
    if all("quic" in layers(s) for s in stacks):
        return "QUIC not decrypted by attrib"
    if all("_ws.malformed" in layers(s) for s in stacks):
        return "malformed per tshark"
    for c, r in CARRIERS.items():
        if all(c in layers(s) for s in stacks):
            return r
    tun = tunnels(ls)
    if tun:
        return "tunnel not decoded (%s)" % ",".join(tun)
    if all(("mdns" in layers(s) or "llmnr" in layers(s)) for s in stacks):
        return "mDNS/LLMNR name"
    if kind.startswith("http.") and all("ssdp" in layers(s) for s in stacks):
        return "SSDP (HTTP over UDP)"
    if all("dtls" in layers(s) for s in stacks):
        return "DTLS handshake"
    if kind.startswith("http.") and any("http2" in layers(s) for s in stacks):
        return "HTTP/2"
    return "unexplained"


def reason_attrib_only(kind, value, frames_seen, tframes, tvals):
    if any(v.lower() == value.lower() or v.rstrip(".") == value.rstrip(".")
           for v in tvals):
        return "spelling differs (case/trailing dot)"
    stacks = [tframes[f] for f in frames_seen if f in tframes]
    if not stacks:
        return "frame not seen by tshark"
    ls = set()
    for s in stacks:
        ls.update(layers(s))
    if all("_ws.malformed" in layers(s) for s in stacks):
        return "malformed per tshark"
    if all("gquic" in layers(s) for s in stacks):
        return "gQUIC SNI (tshark: gquic.tag.sni, not compared)"
    if all("nbns" in layers(s) for s in stacks):
        return "NetBIOS name (tshark: nbns.name)"
    if all("dtls" in layers(s) for s in stacks):
        return "DTLS ClientHello (no JA3 field in tshark)"
    tun = tunnels(ls)
    if tun:
        return "tunnel (%s)" % ",".join(tun)
    if all("quic" in layers(s) for s in stacks):
        return "QUIC: attrib reads the Initial, tshark did not decrypt it"
    want = {"tls.sni": ("tls", "ssl"), "tls.ja3": ("tls", "ssl"),
            "dns.query": ("dns", "mdns", "llmnr", "nbns"),
            "http.host": ("http", "ssdp"),
            "http.user_agent": ("http", "ssdp")}[kind]
    if not any(w in layers(s) for s in stacks for w in want):
        return "tshark did not dissect the frame as %s" % want[0].upper()
    return "unexplained"


def frame_stacks(path, frames):
    """Protocol stacks of the given frame numbers, from a second tshark pass
    (only run for captures with attrib-only values outside the first)."""
    out = {}
    if not path or not frames:
        return out
    flt = "frame.number in {%s}" % ",".join(sorted(frames, key=int))
    try:
        r = subprocess.run(
            ["tshark", "-r", path, "-n",
             "-o", "tcp.desegment_tcp_streams:TRUE",
             "-o", "tls.desegment_ssl_records:TRUE",
             "-Y", flt, "-T", "fields", "-E", "separator=/t",
             "-e", "frame.number", "-e", "frame.protocols"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            universal_newlines=True, errors="replace", timeout=120)
    except (OSError, subprocess.SubprocessError):
        return out
    for line in r.stdout.splitlines():
        c = line.split("\t")
        if len(c) == 2:
            out[c[0]] = c[1]
    return out


def report(work, logfile):
    caps = sorted(n[:-2] for n in os.listdir(work) if n.endswith(".t"))
    if not caps:
        print("tshark-indicators: no capture compared")
        return 1
    inter = collections.Counter()
    n_t = collections.Counter()
    n_a = collections.Counter()
    reasons = collections.Counter()
    lines = []
    for cap in caps:
        base = os.path.join(work, cap)
        tv, tframes = read_tshark(base + ".t")
        av = read_attrib(base + ".a")
        if os.path.exists(base + ".err"):
            with open(base + ".err", errors="replace") as f:
                for l in f:
                    lines.append("%s\t-\t-\t-\t%s" % (cap, l.rstrip("\n")))
        missing = set()
        for kind in KINDS:
            for v in set(av[kind]) - set(tv[kind]):
                missing.update(f for f in av[kind][v]
                               if f.isdigit() and f not in tframes)
        if missing and os.path.exists(base + ".path"):
            with open(base + ".path") as f:
                tframes.update(frame_stacks(f.read().strip(), missing))
        for kind in KINDS:
            t, a = set(tv[kind]), set(av[kind])
            inter[kind] += len(t & a)
            n_t[kind] += len(t)
            n_a[kind] += len(a)
            for v in sorted(t - a):
                r = reason_tshark_only(kind, v, tv[kind][v], a)
                reasons[(kind, "tshark-only", r)] += 1
                lines.append("%s\t%s\ttshark-only\t%r\t%s\t%s" % (
                    cap, kind, v, r, ",".join(sorted(tv[kind][v]))[:200]))
            for v in sorted(a - t):
                r = reason_attrib_only(kind, v, av[kind][v], tframes, t)
                reasons[(kind, "attrib-only", r)] += 1
                st = sorted(set(tframes.get(fr, "?") for fr in av[kind][v]))
                lines.append("%s\t%s\tattrib-only\t%r\t%s\tframes %s: %s" % (
                    cap, kind, v, r, ",".join(sorted(av[kind][v]))[:60],
                    ",".join(st)[:200]))
    ok = 0
    table = ["%-16s %8s %8s %8s %9s %9s" % ("kind", "tshark", "attrib", "both",
                                             "of-tshark", "of-attrib")]
    for kind in KINDS:
        pt = 100.0 * inter[kind] / n_t[kind] if n_t[kind] else 100.0
        pa = 100.0 * inter[kind] / n_a[kind] if n_a[kind] else 100.0
        if pt >= 99.0 and pa >= 99.0:
            ok += 1
        table.append("%-16s %8d %8d %8d %8.2f%% %8.2f%%" % (
            kind, n_t[kind], n_a[kind], inter[kind], pt, pa))
    summary = ["reasons (kind, side, reason: distinct values):"]
    for (kind, side, r), c in sorted(reasons.items(),
                                     key=lambda x: (-x[1], x[0])):
        summary.append("  %-16s %-12s %-45s %6d" % (kind, side, r, c))
    with open(logfile, "w") as f:
        f.write("# capture\tkind\tside\tvalue\treason\tprotocol stacks per tshark\n")
        f.write("\n".join(lines) + ("\n" if lines else ""))
        f.write("# " + "\n# ".join(table + summary) + "\n")
    print("%d captures compared" % len(caps))
    print("\n".join(table))
    print("\n".join(summary[:16]))
    print("details: %s" % logfile)
    print("tshark-indicators: %d of %d kinds at >= 99%% both ways"
          % (ok, len(KINDS)))
    return 0 if ok == len(KINDS) else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "attrib-dump":
        attrib_dump(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: tshark_compare.py attrib-dump BASE | report WORK LOG")
