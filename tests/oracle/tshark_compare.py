#!/usr/bin/env python3
"""tshark_compare.py -- helper of tshark-indicators.sh.

  tshark_compare.py fields          (tshark's -e options for FIELDS)
  tshark_compare.py report WORKDIR LOGFILE

report reads, per capture CAP in WORKDIR, CAP.json (attrib indicators
--json: the compared kinds (KINDS), and the anomalies REASON_ANOMALIES lists,
for reasons), CAP.n (the kind and value pairs attrib took from nDPI), CAP.c
(kind, value, frame and detail of the values attrib read inside a carrier),
CAP.path and CAP.t (tshark -T fields output: frame, frame.protocols, then
FIELDS). The values only attrib has are offered to tshark again
(tshark_confirm.py): each cited frame read alone, decoded as the protocol
attrib read there; the cited TCP connections reassembled with out-of-order
segments queued; the cited OpenVPN sessions' control messages put end to
end. A value tshark shows in those readings, at a cited frame (or earlier
in its connection or session), is "confirmed": tshark's own dissectors
find it where attrib found it (attrib found the protocol by content where
tshark went by port, or tshark's reassembly dropped a segment: a
retransmission with other bytes, a segment after a gap or out of order).

It then compares, per capture and kind, the distinct values, writes every
disagreement with a reason to LOGFILE (confirmed values too, marked so),
prints the per-kind table and exits 1 when a kind is below its threshold
(THRESHOLDS) in either direction.
"""
import collections
import concurrent.futures
import hashlib
import ipaddress
import json
import os
import sys

import tshark_confirm

KINDS = ["dns.query", "tls.sni", "tls.ja3", "http.host", "http.user_agent",
         "dns.answer", "tls.cert.san", "tls.cert.serial"]

# tshark's fields after frame.number and frame.protocols, in the order
# tshark-indicators.sh asks for them, and the kind each one feeds.
# gquic.tag.sni is the SNI tag of a gQUIC (Google QUIC before RFC 9000)
# client hello: the same value attrib records as tls.sni for gQUIC flows;
# dtls.handshake.extensions_server_name is the server_name of a DTLS one.
# The dtls.* fields feed tls.ja3 through dtls_ja3(): tshark 4.0 has no JA3
# field for DTLS, so the JA3 of a DTLS ClientHello is computed here from the
# fields tshark decoded, by the JA3 definition.
FIELDS = [("dns.qry.name", "dns.query"),
          ("tls.handshake.extensions_server_name", "tls.sni"),
          ("gquic.tag.sni", "tls.sni"),
          ("dtls.handshake.extensions_server_name", "tls.sni"),
          ("tls.handshake.ja3", "tls.ja3"),
          ("http.host", "http.host"),
          ("http.user_agent", "http.user_agent"),
          ("x509ce.dNSName", "tls.cert.san"),
          ("x509af.serialNumber", "tls.cert.serial"),
          ("tls.handshake.certificate_length", None),
          ("dtls.handshake.certificate_length", None),
          ("dns.a", None),
          ("dns.aaaa", None),
          ("dns.count.answers", None),
          ("dns.count.auth_rr", None),
          ("dns.count.add_rr", None),
          ("dns.resp.type", None),
          ("dtls.handshake.type", None),
          ("dtls.handshake.version", None),
          ("dtls.handshake.ciphersuite", None),
          ("dtls.handshake.extension.type", None),
          ("dtls.handshake.extensions_supported_group", None),
          ("dtls.handshake.extensions_ec_point_format", None)]

# Minimum agreement per kind, in percent: (of tshark's values found by
# attrib, of attrib's values found or confirmed by tshark).  The
# disagreements left are listed with their reasons in docs/indicators.md
# ("Agreement with tshark").
THRESHOLDS = {k: (99.0, 99.0) for k in KINDS}

TUNNELS = ("vxlan", "capwap", "gtp", "gre", "tzsp", "erspan", "l2tp",
           "teredo", "geneve", "nsh")
# Carriers of TLS: tshark's values there that attrib lacks.
CARRIERS = {"openvpn": "TLS inside OpenVPN that attrib did not read",
            "rdpudp": "TLS inside RDP-UDP that attrib did not read"}
# Decode As targets for the confirmation pass, by kind.
DECODE_AS = {"tls.sni": {"tcp": "tls", "udp": "dtls"},
             "tls.ja3": {"tcp": "tls", "udp": "dtls"},
             "http.host": {"tcp": "http"},
             "http.user_agent": {"tcp": "http"},
             "dns.query": {"tcp": "dns", "udp": "dns"},
             "dns.answer": {"tcp": "dns", "udp": "dns"},
             "tls.cert.san": {"tcp": "tls", "udp": "dtls"},
             "tls.cert.serial": {"tcp": "tls", "udp": "dtls"}}


def tunnels(ls):
    return sorted(set(t for t in TUNNELS for l in ls
                      if l == t or l.startswith(t + ".")))


def norm(kind, value):
    # JA3 is a hex digest: case carries no meaning.  Every other value is
    # compared exactly as written.
    return value.lower() if kind == "tls.ja3" else value


def dns_answers(cols):
    """The A/AAAA addresses of the answer sections of a frame's DNS
    messages: tshark's dns.a and dns.aaaa also list the authority and
    additional sections (glue), which attrib's dns.answer leaves out, so
    the records are walked in order (dns.resp.type) and only those within
    each message's answer count are kept."""
    f = dict(zip([n for n, _ in FIELDS], cols))
    split = lambda name: [v for v in f.get(name, "").split("\x1f") if v]
    a, aaaa = split("dns.a"), split("dns.aaaa")
    if not a and not aaaa:
        return []
    types = split("dns.resp.type")
    counts = list(zip(split("dns.count.answers"), split("dns.count.auth_rr"),
                      split("dns.count.add_rr")))
    sections = []  # per record: True when in an answer section
    for an, ns, ar in counts:
        an, ns, ar = number(an) or 0, number(ns) or 0, number(ar) or 0
        sections += [True] * an + [False] * (ns + ar)
    out, ia, i6 = [], 0, 0
    for k, t in enumerate(types):
        answer = k < len(sections) and sections[k]
        if t == "1" and ia < len(a):
            if answer:
                out.append(a[ia])
            ia += 1
        elif t == "28" and i6 < len(aaaa):
            if answer:
                out.append(aaaa[i6])
            i6 += 1
    return out


def is_address(v):
    """True for an IPv4 or IPv6 address (attrib's A/AAAA answers)."""
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


def is_grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def number(text):
    try:
        return int(text, 0)
    except ValueError:
        return None


def dtls_ja3(cols):
    """JA3 MD5 of a DTLS ClientHello from tshark's fields, or None."""
    f = dict(zip([n for n, _ in FIELDS], cols))
    if "1" not in f["dtls.handshake.type"].split("\x1f"):
        return None

    def nums(name, grease):
        out = []
        for t in f[name].split("\x1f"):
            v = number(t) if t else None
            if v is not None and not (grease and is_grease(v)):
                out.append(str(v))
        return out

    version = nums("dtls.handshake.version", False)
    ciphers = nums("dtls.handshake.ciphersuite", True)
    if not version or not ciphers:
        return None
    text = ",".join([version[0], "-".join(ciphers),
                     "-".join(nums("dtls.handshake.extension.type", True)),
                     "-".join(nums("dtls.handshake.extensions_supported_group",
                                   True)),
                     "-".join(nums("dtls.handshake.extensions_ec_point_format",
                                   False))])
    return hashlib.md5(text.encode()).hexdigest()


def parse_fields(line):
    """(frame, protocols, {kind: [values]}) of one tshark output line."""
    cols = line.rstrip("\n").split("\t")
    if len(cols) < 2:
        return None
    cols += [""] * (2 + len(FIELDS) - len(cols))
    out = collections.defaultdict(list)
    for (_, kind), field in zip(FIELDS, cols[2:]):
        if kind:
            # occurrence=a with aggregator TAB-free "\x1f" separator.
            out[kind] += [norm(kind, v) for v in field.split("\x1f") if v]
    ja3 = dtls_ja3(cols[2:])
    if ja3:
        out["tls.ja3"].append(ja3)
    out["dns.answer"] += dns_answers(cols[2:])
    # x509af.serialNumber also lists the certificates inside a stapled OCSP
    # response (CertificateStatus), which follow the Certificate message's:
    # keep as many as the Certificate messages (TLS or DTLS) hold
    f = dict(zip([n for n, _ in FIELDS], cols[2:]))
    certs = [v for name in ("tls.handshake.certificate_length",
                            "dtls.handshake.certificate_length")
             for v in f.get(name, "").split("\x1f") if v]
    out["tls.cert.serial"] = out["tls.cert.serial"][:len(certs)]
    return cols[0], cols[1], out


def read_tshark(path):
    """{kind: {value: set(stacks)}}, {kind: {value: set(frames)}},
    {frame: protocol stack}"""
    vals = {k: collections.defaultdict(set) for k in KINDS}
    where = {k: collections.defaultdict(set) for k in KINDS}
    frames = {}
    if not os.path.exists(path):
        return vals, where, frames
    with open(path, errors="replace") as f:
        for line in f:
            p = parse_fields(line)
            if not p:
                continue
            frame, protos, found = p
            frames[frame] = protos
            for kind, values in found.items():
                for v in values:
                    vals[kind][v].add(protos)
                    where[kind][v].add(frame)
    return vals, where, frames


# attrib's anomalies that explain a disagreement, by the frame they cite.
REASON_ANOMALIES = ("tls_malformed", "dns_malformed", "field_too_long",
                    "ipv4_fragment", "ipv6_fragment")


def read_attrib(path):
    """From attrib's JSON lines: {kind: {value: set(frames)}}, and
    {anomaly name: set(frames)} for REASON_ANOMALIES."""
    vals = {k: collections.defaultdict(set) for k in KINDS}
    anomalies = collections.defaultdict(set)
    if not os.path.exists(path):
        return vals, anomalies
    with open(path, errors="replace") as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            kind, frame = o.get("kind"), str(o.get("frame", ""))
            if kind in KINDS:
                v = str(o.get("value", "")).replace("\t", " ").replace("\n", " ")
                if kind == "dns.answer" and not is_address(v):
                    continue  # CNAME targets: tshark's dns.a/aaaa are addresses
                if kind == "tls.cert.san" and not san_is_dns(o, v):
                    continue  # e-mail, URI, IP entries: not x509ce.dNSName
                vals[kind][norm(kind, v)].add(frame)
            elif kind == "anomaly" and o.get("value") in REASON_ANOMALIES:
                anomalies[o["value"]].add(frame)
    return vals, anomalies


def san_is_dns(o, v):
    """True for a tls.cert.san line of a dNSName entry: attrib's detail
    names the entry's type (type=dns|email|uri|ip)."""
    d = o.get("detail")
    if isinstance(d, dict) and "type" in d:
        return d["type"] == "dns"
    return not (is_address(v) or "@" in v or "://" in v)


def attrib_only(tv, av):
    """{kind: {value: cited frames}} of the values only attrib has."""
    out = {}
    for kind in KINDS:
        vals = {v: {f for f in av[kind][v] if f.isdigit()}
                for v in set(av[kind]) - set(tv[kind])}
        vals = {v: f for v, f in vals.items() if f}
        if vals:
            out[kind] = vals
    return out


def read_carried(path):
    """{(kind, frame): detail} of the values attrib read in a carrier."""
    out = {}
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                c = line.rstrip("\n").split("\t")
                if len(c) == 4 and c[0] in KINDS:
                    out[(c[0], c[2])] = c[3]
    return out


def read_ndpi(path):
    """{(kind, value)} that attrib took from nDPI (impl=ndpi)."""
    out = set()
    if os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                c = line.rstrip("\n").split("\t")
                if len(c) == 2 and c[0] in KINDS:
                    out.add((c[0], norm(c[0], c[1])))
    return out


def layers(stack):
    return stack.split(":")


def reason_tshark_only(kind, value, stacks, frames, avals, anomalies):
    ls = set()
    for s in stacks:
        ls.update(layers(s))
    if any(v.lower() == value.lower() or v.rstrip(".") == value.rstrip(".")
           for v in avals):
        return "spelling differs (case/trailing dot)"
    if any(v.startswith(value + "\\000") for v in avals):
        return ("NUL byte in the value: tshark's string ends there, "
                "attrib's goes on (escaped)")
    if value.startswith("<") and value.endswith(">"):
        return "tshark placeholder for an undecodable name"
    if kind.startswith("tls.") and frames & anomalies["tls_malformed"]:
        return ("malformed ClientHello: attrib gives no fingerprint, "
                "tshark fingerprints the part it read")
    if kind.startswith("tls.cert.") and all("quic" in layers(s)
                                            for s in stacks):
        # The oracle gives tshark no key log: the secrets are in the file.
        return ("certificate in QUIC Handshake packets, which tshark "
                "decrypts with the TLS secrets the capture file holds; "
                "attrib decrypts Initial packets only")
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
    if kind.startswith("tls.cert.") and all("dtls" in layers(s)
                                            for s in stacks):
        return "certificate over DTLS that attrib did not read"
    if all("dtls" in layers(s) for s in stacks):
        return ("DTLS ClientHello attrib did not fingerprint (JA3 computed "
                "from tshark's fields)")
    if kind.startswith("http.") and any("http2" in layers(s) for s in stacks):
        return "HTTP/2"
    return "unexplained"


def reason_attrib_only(kind, value, frames_seen, tframes, tvals, anomalies,
                       from_ndpi):
    if any(v.lower() == value.lower() or v.rstrip(".") == value.rstrip(".")
           for v in tvals):
        return "spelling differs (case/trailing dot)"
    if any(value.startswith(v + "\\000") for v in tvals):
        return ("NUL byte in the value: tshark's string ends there, "
                "attrib's goes on (escaped)")
    if kind == "dns.query" and frames_seen & anomalies["field_too_long"]:
        return ("name over 255 bytes: attrib keeps it cut (field_too_long), "
                "tshark prints a placeholder")
    if kind == "dns.query" and frames_seen & anomalies["dns_malformed"]:
        return ("malformed DNS message: attrib keeps the labels read before "
                "the fault (dns_malformed), tshark shows no name")
    if frames_seen & (anomalies["ipv4_fragment"] | anomalies["ipv6_fragment"]):
        return ("first fragment of an IP datagram never completed: attrib "
                "reads it, tshark waits for the rest")
    stacks = [tframes[f] for f in frames_seen if f in tframes]
    if not stacks:
        return "frame not seen by tshark"
    ls = set()
    for s in stacks:
        ls.update(layers(s))
    if all("_ws.malformed" in layers(s) for s in stacks):
        return "malformed per tshark"
    if all("nbns" in layers(s) for s in stacks):
        return "NetBIOS name (tshark: nbns.name)"
    tun = tunnels(ls)
    if tun:
        return "tunnel (%s)" % ",".join(tun)
    if all("quic" in layers(s) for s in stacks):
        return "QUIC Initial attrib decrypts (AEAD tag verified), tshark does not"
    if all("gquic" in layers(s) for s in stacks):
        return "gQUIC: tshark shows no SNI tag"
    want = {"tls.sni": ("tls", "ssl", "dtls"), "tls.ja3": ("tls", "ssl", "dtls"),
            "dns.query": ("dns", "mdns", "llmnr", "nbns"),
            "dns.answer": ("dns", "mdns", "llmnr"),
            "tls.cert.san": ("tls", "ssl", "dtls"),
            "tls.cert.serial": ("tls", "ssl", "dtls"),
            "http.host": ("http", "ssdp"),
            "http.user_agent": ("http", "ssdp")}[kind]
    if not any(w in layers(s) for s in stacks for w in want):
        return "tshark did not dissect the frame as %s" % want[0].upper()
    if kind == "dns.query" and from_ndpi:
        return "nDPI's name for a message tshark shows no question name in"
    return "unexplained"


def load(work, cap):
    """Everything known about one capture, confirmation pass included."""
    base = os.path.join(work, cap)
    tv, twhere, tframes = read_tshark(base + ".t")
    av, anomalies = read_attrib(base + ".json")
    cited = attrib_only(tv, av)
    path = ""
    if os.path.exists(base + ".path"):
        with open(base + ".path") as f:
            path = f.read().strip()
    carried = read_carried(base + ".c")
    cstacks, cv = ({}, {})
    if cited and path:
        cstacks, cv = tshark_confirm.confirm(path, cited, carried, FIELDS,
                                             parse_fields, DECODE_AS)
    for fr, st in cstacks.items():
        tframes.setdefault(fr, st)
    return tv, twhere, tframes, av, anomalies, read_ndpi(base + ".n"), cv


def report(work, logfile, jobs):
    caps = sorted(n[:-2] for n in os.listdir(work) if n.endswith(".t"))
    if not caps:
        print("tshark-indicators: no capture compared")
        return 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        loaded = list(pool.map(lambda c: load(work, c), caps))
    inter = collections.Counter()
    confirmed = collections.Counter()
    n_t = collections.Counter()
    n_a = collections.Counter()
    reasons = collections.Counter()
    lines = []
    for cap, (tv, twhere, tframes, av, anomalies, ndpi, cv) in zip(caps,
                                                                   loaded):
        base = os.path.join(work, cap)
        if os.path.exists(base + ".err"):
            with open(base + ".err", errors="replace") as f:
                for l in f:
                    lines.append("%s\t-\t-\t-\t%s" % (cap, l.rstrip("\n")))
        for kind in KINDS:
            t, a = set(tv[kind]), set(av[kind])
            inter[kind] += len(t & a)
            n_t[kind] += len(t)
            n_a[kind] += len(a)
            for v in sorted(t - a):
                r = reason_tshark_only(kind, v, tv[kind][v], twhere[kind][v],
                                       a, anomalies)
                reasons[(kind, "tshark-only", r)] += 1
                lines.append("%s\t%s\ttshark-only\t%r\t%s\t%s" % (
                    cap, kind, v, r, ",".join(sorted(tv[kind][v]))[:200]))
            for v in sorted(a - t):
                cited = av[kind][v]
                st = sorted(set(tframes.get(fr, "?") for fr in cited))
                how = cv.get(kind, {}).get(v, {})
                at = sorted(set(how) & cited, key=int)
                shown = ""
                if at:
                    side = "confirmed"
                    r, tframe = how[at[0]]
                    if tframe != at[0]:
                        shown = " (tshark: frame %s)" % tframe
                    confirmed[kind] += 1
                else:
                    side = "attrib-only"
                    r = reason_attrib_only(kind, v, cited, tframes, t,
                                           anomalies, (kind, v) in ndpi)
                    if (kind, v) in ndpi:
                        r = "nDPI's value (impl=ndpi); " + r
                reasons[(kind, side, r)] += 1
                lines.append("%s\t%s\t%s\t%r\t%s%s\tframes %s: %s" % (
                    cap, kind, side, v, r, shown,
                    ",".join(sorted(cited))[:60], ",".join(st)[:200]))
    ok = 0
    table = ["%-16s %7s %7s %7s %9s %10s %10s %11s" % (
        "kind", "tshark", "attrib", "both", "confirmed", "of-tshark",
        "of-attrib", "(strictly)")]
    for kind in KINDS:
        pt = 100.0 * inter[kind] / n_t[kind] if n_t[kind] else 100.0
        pa = (100.0 * (inter[kind] + confirmed[kind]) / n_a[kind]
              if n_a[kind] else 100.0)
        ps = 100.0 * inter[kind] / n_a[kind] if n_a[kind] else 100.0
        if pt >= THRESHOLDS[kind][0] and pa >= THRESHOLDS[kind][1]:
            ok += 1
        table.append("%-16s %7d %7d %7d %9d %9.2f%% %9.2f%% %10.2f%%" % (
            kind, n_t[kind], n_a[kind], inter[kind], confirmed[kind], pt, pa,
            ps))
    summary = ["reasons (kind, side, reason: distinct values):"]
    for (kind, side, r), c in sorted(reasons.items(),
                                     key=lambda x: (-x[1], x[0])):
        summary.append("  %-16s %-12s %-62s %4d" % (kind, side, r, c))
    with open(logfile, "w") as f:
        f.write("# capture\tkind\tside\tvalue\treason\tprotocol stacks per tshark\n")
        f.write("\n".join(lines) + ("\n" if lines else ""))
        f.write("# " + "\n# ".join(table + summary) + "\n")
    print("%d captures compared" % len(caps))
    print("\n".join(table))
    print("\n".join(summary[:24]))
    print("details: %s" % logfile)
    print("tshark-indicators: %d of %d kinds at or above their thresholds "
          "(%s)" % (ok, len(KINDS), ", ".join(
              "%s %g/%g%%" % ((k,) + THRESHOLDS[k]) for k in KINDS)))
    return 0 if ok == len(KINDS) else 1


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "fields":
        print(" ".join("-e %s" % n for n, _ in FIELDS))
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        sys.exit(report(sys.argv[2], sys.argv[3],
                        int(os.environ.get("ATTRIB_ORACLE_JOBS", "2"))))
    else:
        sys.exit("usage: tshark_compare.py fields | report WORK LOG")
