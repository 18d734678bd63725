"""tshark_confirm.py -- the confirmation readings of tshark_compare.py.

Values only attrib has are offered to tshark again, in up to three
readings of the capture, each asked only about the values the one before
left unconfirmed:

1. each cited frame read alone (no TCP reassembly or sequence analysis),
   decoded as the protocol attrib read there: Decode As on its ports, or
   for a value attrib read inside OpenVPN or RDP-UDP, that carrier (with
   OpenVPN's tls-auth HMAC size as attrib found it).  Confirmed when
   tshark shows the value in a cited frame.
2. (TCP) the whole capture again, with TCP reassembly that queues
   out-of-order segments (tcp.reassemble_out_of_order, off by default in
   tshark 4.0) and Decode As on the cited frames' ports.  Confirmed when
   tshark shows the value in a frame of a cited frame's TCP connection, no
   later than that cited frame (attrib cites the segment that completed
   its reassembly; tshark may complete it with an earlier copy of the same
   bytes).
3. (OpenVPN) tshark 4.0 reassembles OpenVPN control messages only when
   every fragment but the last carries exactly 100 bytes; otherwise it
   hands each P_CONTROL_V1 message to its TLS dissector alone, and a TLS
   record spread over several messages is lost ("Ignored Unknown
   Record").  Here tshark's OpenVPN dissector, with the options of reading
   1, gives each P_CONTROL_V1 message's session id, Message Packet-ID and
   bytes; the payloads after the packet ID are put end to end in packet-ID
   order per session (as that dissector does for 100-byte fragments), one
   TCP segment per message, into a capture tshark then reads as TLS.
   Confirmed when tshark shows the value in a segment that came from a
   cited frame's session, no later than that cited frame.

confirm() returns, per kind and value, the cited frames it was confirmed
at, how, and the frame tshark showed it in.
"""
import collections
import json
import os
import struct
import subprocess
import tempfile

TSHARK_TIMEOUT_S = 120

HOW_ALONE = "tshark shows it reading the cited frame alone"
HOW_OUT_OF_ORDER = ("tshark shows it in the cited TCP connection, "
                    "reassembling out-of-order segments")
HOW_OPENVPN = ("tshark shows it in the TLS of the cited OpenVPN session, "
               "its control messages put end to end")

OPENVPN_P_CONTROL_V1 = 4


def tshark(path, args):
    try:
        r = subprocess.run(["tshark", "-r", path, "-n"] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           universal_newlines=True, errors="replace",
                           timeout=TSHARK_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return []
    return r.stdout.splitlines()


def frame_filter(frames):
    return "frame.number in {%s}" % ",".join(sorted(frames, key=int))


def carrier_decode(detail, ports):
    """tshark options that decode a frame as the carrier attrib names in
    detail ("carrier=openvpn hmac=20"), on the frame's ports; [] for none."""
    words = dict(w.split("=", 1) for w in detail.split() if "=" in w)
    carrier = words.get("carrier")
    args = []
    if carrier == "openvpn":
        hmac = words.get("hmac", "0")
        args += ["-o", "openvpn.tls_auth_detection_override:TRUE",
                 "-o", "openvpn.tls_auth:%s" % (
                     "TRUE" if hmac != "0" else "FALSE")]
        if hmac != "0":
            args += ["-o", "openvpn.tls_auth_hmac_size:%s" % hmac]
        for l4 in ("tcp", "udp"):
            for p in sorted(ports.get(l4, ())):
                args += ["-d", "%s.port==%s,openvpn" % (l4, p)]
    elif carrier == "rdpudp":
        for p in sorted(ports.get("udp", ())):
            args += ["-d", "udp.port==%s,rdpudp" % p]
    return args


def plain_decode(targets, ports):
    """Decode As options for a frame read as targets ({l4: protocol})."""
    return [a for l4, target in sorted(targets.items())
            for p in sorted(ports.get(l4, ()))
            for a in ("-d", "%s.port==%s,%s" % (l4, p, target))]


def field_args(fields):
    out = []
    for name, _ in fields:
        out += ["-e", name]
    return out


class Reading:
    """What the readings share: the capture, tshark's fields and their
    parser (tshark_compare.py's), the Decode As targets per kind, and what
    tshark says of every cited frame (stack, innermost ports, stream)."""

    def __init__(self, path, fields, parse, decode_as, carried):
        self.path = path
        self.fields = fields
        self.parse = parse
        self.decode_as = decode_as
        self.carried = carried
        self.stacks, self.ports, self.streams = {}, {}, {}

    def describe(self, frames):
        for line in tshark(self.path, [
                "-o", "tcp.desegment_tcp_streams:TRUE",
                "-o", "tls.desegment_ssl_records:TRUE",
                "-Y", frame_filter(frames), "-T", "fields",
                "-E", "separator=/t", "-e", "frame.number",
                "-e", "frame.protocols", "-e", "tcp.srcport",
                "-e", "tcp.dstport", "-e", "udp.srcport",
                "-e", "udp.dstport", "-e", "tcp.stream", "-e", "udp.stream"]):
            c = (line.split("\t") + [""] * 8)[:8]
            self.stacks[c[0]] = c[1]
            # Innermost ports (a tunnel lists the outer ones first).
            self.ports[c[0]] = {
                "tcp": {x.split(",")[-1] for x in c[2:4] if x},
                "udp": {x.split(",")[-1] for x in c[4:6] if x}}
            self.streams[c[0]] = (
                ("tcp", c[6].split(",")[-1]) if c[6] else
                ("udp", c[7].split(",")[-1]) if c[7] else None)

    def read(self, path, args):
        """(frame, {kind: values}, last extra column) per output line of a
        fields reading of path with args."""
        extra = ["-e", "tcp.stream"]
        for line in tshark(path, args + ["-T", "fields", "-E",
                                         "separator=/t", "-E",
                                         "occurrence=a", "-E",
                                         "aggregator=\x1f", "-e",
                                         "frame.number", "-e",
                                         "frame.protocols"] +
                           field_args(self.fields) + extra):
            p = self.parse(line)
            if p:
                cols = line.rstrip("\n").split("\t")
                last = cols[-1] if len(cols) > 2 + len(self.fields) else ""
                yield p[0], p[2], last.split(",")[-1]


def alone(r, todo, got):
    """Reading 1: each cited frame alone, as attrib read it."""
    for kind, values in sorted(todo.items()):
        groups = collections.defaultdict(set)
        for frames in values.values():
            for fr in frames:
                detail = r.carried.get((kind, fr))
                if detail:
                    key = tuple(carrier_decode(detail, r.ports.get(fr, {})))
                else:
                    key = tuple(plain_decode(r.decode_as[kind],
                                             r.ports.get(fr, {})))
                groups[key].add(fr)
        for key, group in sorted(groups.items()):
            for fr, found, _ in r.read(r.path, [
                    "-o", "tcp.desegment_tcp_streams:FALSE",
                    "-o", "tcp.analyze_sequence_numbers:FALSE"] +
                    list(key) + ["-Y", frame_filter(group)]):
                for v in found.get(kind, ()):
                    if fr in values.get(v, ()):
                        got[kind][v].setdefault(fr, (HOW_ALONE, fr))


def out_of_order(r, todo, got):
    """Reading 2: the cited TCP connections, reassembling out-of-order
    segments."""
    by_target = collections.defaultdict(set)  # target -> frames
    for kind, values in todo.items():
        target = r.decode_as[kind].get("tcp")
        for frames in values.values():
            for fr in frames:
                if (target and (kind, fr) not in r.carried and
                        r.streams.get(fr, ("", ""))[0] == "tcp"):
                    by_target[target].add(fr)
    for target, frames in sorted(by_target.items()):
        streams = {r.streams[fr][1] for fr in frames}
        decode = plain_decode({"tcp": target},
                              {"tcp": set().union(*(r.ports[fr]["tcp"]
                                                    for fr in frames))})
        shown = collections.defaultdict(set)  # (kind, value) -> (frame, st)
        for fr, found, stream in r.read(r.path, [
                "-o", "tcp.desegment_tcp_streams:TRUE",
                "-o", "tcp.reassemble_out_of_order:TRUE",
                "-o", "tls.desegment_ssl_records:TRUE",
                "-o", "http.desegment_headers:TRUE"] + decode + [
                "-Y", "tcp.stream in {%s}" % " ".join(sorted(streams))]):
            for kind, vals in found.items():
                for v in vals:
                    shown[(kind, v)].add((int(fr), stream))
        for kind, values in todo.items():
            for v, cited in values.items():
                for fr in cited:
                    st = r.streams.get(fr)
                    if fr not in frames or not st:
                        continue
                    at = sorted(g for g, s in shown.get((kind, v), ())
                                if s == st[1] and g <= int(fr))
                    if at:
                        got[kind][v].setdefault(
                            fr, (HOW_OUT_OF_ORDER, str(at[-1])))


def openvpn_messages(r, args, streams):
    """{session: {mpid: (frame, payload)}} of the P_CONTROL_V1 messages in
    streams ({(l4, index)}) as tshark decodes them with args, and
    {frame: sessions}."""
    flt = " or ".join("%s.stream == %s" % s for s in sorted(streams))
    out = tshark(r.path, ["-o", "tcp.desegment_tcp_streams:TRUE"] + args +
                 ["-Y", "openvpn.opcode == %d and (%s)" % (
                     OPENVPN_P_CONTROL_V1, flt),
                  "-T", "json", "-x", "--no-duplicate-keys",
                  "-j", "frame openvpn"])
    try:
        packets = json.loads("\n".join(out)) if out else []
    except ValueError:
        return {}, {}
    sessions = collections.defaultdict(dict)
    of_frame = collections.defaultdict(set)
    for pkt in packets:
        layers = pkt.get("_source", {}).get("layers", {})
        frame = layers.get("frame", {}).get("frame.number")
        pdus, raws = layers.get("openvpn"), layers.get("openvpn_raw")
        if not frame or not pdus or not raws:
            continue
        if isinstance(pdus, dict):
            pdus, raws = [pdus], [raws]
        for pdu, raw in zip(pdus, raws):
            mpid_raw = pdu.get("openvpn.mpid_raw")
            sid = pdu.get("openvpn.sessionid")
            if (not isinstance(raw, list) or not isinstance(mpid_raw, list)
                    or sid is None):
                continue
            start = (mpid_raw[1] + mpid_raw[2] - raw[1]) * 2
            payload = bytes.fromhex(raw[0][start:])
            mpid = int(pdu.get("openvpn.mpid", "0"))
            of_frame[frame].add(sid)
            sessions[sid].setdefault(mpid, (frame, payload))
    return sessions, of_frame


def write_tcp_capture(path, sessions):
    """A pcap (raw IPv4) of one TCP connection per session, server port
    443 to client port 20000 + n, one segment per message in packet-ID
    order while they follow each other; returns [(session, frame)] per
    packet written."""
    origin = []
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for n, (sid, msgs) in enumerate(sorted(sessions.items())):
            seq = 1
            mpid = min(msgs)
            while mpid in msgs:
                frame, payload = msgs[mpid]
                payload = payload[:65000]
                tcp = struct.pack("!HHIIBBHHH", 443, 20000 + n % 40000, seq,
                                  1, 5 << 4, 0x18, 65535, 0, 0)
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0,
                                 20 + len(tcp) + len(payload), 0, 0, 64, 6,
                                 0, bytes([10, 0, 0, 1]),
                                 bytes([10, 0, 0, 2]))
                pkt = ip + tcp + payload
                t = len(origin) + 1
                f.write(struct.pack("<IIII", t, 0, len(pkt), len(pkt)))
                f.write(pkt)
                origin.append((sid, frame))
                seq += len(payload)
                mpid += 1
    return origin


def openvpn(r, todo, got):
    """Reading 3: the TLS of the cited OpenVPN sessions, their control
    messages put end to end."""
    groups = collections.defaultdict(set)  # decode options -> frames
    for kind, values in todo.items():
        for frames in values.values():
            for fr in frames:
                detail = r.carried.get((kind, fr), "")
                if "carrier=openvpn" in detail.split() and fr in r.streams:
                    key = tuple(carrier_decode(detail, r.ports.get(fr, {})))
                    groups[key].add(fr)
    for key, frames in sorted(groups.items()):
        sessions, of_frame = openvpn_messages(
            r, list(key), {r.streams[fr] for fr in frames if r.streams[fr]})
        if not sessions:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            cap = os.path.join(tmp, "openvpn-tls.pcap")
            origin = write_tcp_capture(cap, sessions)
            shown = collections.defaultdict(set)
            for fr, found, _ in r.read(cap, [
                    "-o", "tcp.desegment_tcp_streams:TRUE",
                    "-o", "tls.desegment_ssl_records:TRUE",
                    "-o", "tcp.analyze_sequence_numbers:TRUE"]):
                sid, orig = origin[int(fr) - 1]
                for kind, vals in found.items():
                    for v in vals:
                        shown[(kind, v)].add((sid, int(orig)))
        for kind, values in todo.items():
            for v, cited in values.items():
                for fr in cited & frames:
                    at = sorted(o for sid, o in shown.get((kind, v), ())
                                if sid in of_frame.get(fr, ())
                                and o <= int(fr))
                    if at:
                        got[kind][v].setdefault(fr, (HOW_OPENVPN,
                                                      str(at[-1])))


def remaining(todo, got):
    """todo less the values confirmed at one of their cited frames."""
    out = {}
    for kind, values in todo.items():
        left = {v: f for v, f in values.items()
                if not set(got[kind].get(v, {})) & f}
        if left:
            out[kind] = left
    return out


def confirm(path, todo, carried, fields, parse, decode_as):
    """The protocol stacks of the frames cited by todo ({kind: {value:
    cited frames}}, the values only attrib has), and {kind: {value:
    {frame: (how, tshark's frame)}}}: the cited frames tshark confirms each
    value at, by the readings above (carried: {(kind, frame): detail} of the values attrib
    read inside a carrier; fields, parse, decode_as: tshark_compare.py's
    FIELDS, parse_fields and DECODE_AS)."""
    got = {k: collections.defaultdict(dict) for k in todo}
    every = set()
    for values in todo.values():
        for frames in values.values():
            every |= frames
    if not every:
        return {}, got
    r = Reading(path, fields, parse, decode_as, carried)
    r.describe(every)
    for step in (alone, out_of_order, openvpn):
        left = remaining(todo, got)
        if not left:
            break
        step(r, left, got)
    return r.stacks, got
