#!/usr/bin/env python3
"""chain_verify.py -- a second, independent verifier of an attrib case.

Written from docs/evidence.md alone (Python standard library only): it
re-implements the canonical encoding of chain entries and the checks of
"Verifying a case", so that a case can be checked without trusting attrib.

    chain_verify.py CASE.db [--head FILE] [--no-files] [-q]
        exit 0 intact, 1 tampered, 2 error (the case cannot be read)
    chain_verify.py CASE.db --entry SEQ
        prints the encoding of entry SEQ (hex dump) and its hash
    chain_verify.py CASE.db --rechain
        test use only (the "perfect forger" of tests/custody/tamper.sh):
        rewrites every chain_hash and the head in meta so that the chain
        in the database is consistent again after rows were changed

The head file defaults to CASE.db.head; when there is none the chain is
checked against itself only (and said so).
"""
import argparse
import hashlib
import os
import re
import sqlite3
import struct
import sys
import urllib.parse

MAGIC = b"attrib-chain-1"
GENESIS = "0" * 64
MAX_ENTRY = 64 << 20

# The chained tables, their kinds and their columns in definition order,
# with their declared types, as docs/evidence.md gives them.
TABLES = {
    "sources": ("source", """id INTEGER, path TEXT, size INTEGER,
        sha256 TEXT, format TEXT, linktype INTEGER, linktype_name TEXT,
        packets INTEGER, first_ts_us INTEGER, last_ts_us INTEGER,
        status TEXT, error TEXT, committed_frame INTEGER,
        first_flow_id INTEGER, tool_version TEXT, pcap_version TEXT,
        ndpi_version TEXT, clock_note TEXT, ingested_us INTEGER,
        chain_seq INTEGER, chain_hash TEXT"""),
    "anomalies": ("anomaly", """source_id INTEGER, name TEXT,
        count INTEGER, first_frame INTEGER, chain_seq INTEGER,
        chain_hash TEXT"""),
    "flows": ("flow", """id INTEGER, source_id INTEGER, ip_version INTEGER,
        l4_proto INTEGER, client TEXT, client_port INTEGER, server TEXT,
        server_port INTEGER, vlan INTEGER, tunnel TEXT, tunnel_id INTEGER,
        first_ts_us INTEGER, last_ts_us INTEGER, first_frame INTEGER,
        last_frame INTEGER, packets_c2s INTEGER, packets_s2c INTEGER,
        bytes_c2s INTEGER, bytes_s2c INTEGER, proto TEXT,
        master_id INTEGER, app_id INTEGER, category TEXT, risk INTEGER,
        guessed INTEGER, close_reason TEXT, community_id TEXT,
        chain_seq INTEGER, chain_hash TEXT"""),
    "observations": ("observation", """id INTEGER, source_id INTEGER,
        frame INTEGER, file_offset INTEGER, caplen INTEGER, ts_us INTEGER,
        flow_id INTEGER, kind TEXT, value TEXT, detail TEXT,
        packet_sha256 TEXT, chain_seq INTEGER, chain_hash TEXT"""),
    "custody": ("custody", """id INTEGER, ts_us INTEGER, action TEXT,
        actor TEXT, host TEXT, tool_version TEXT, arguments TEXT,
        detail TEXT, chain_seq INTEGER, chain_hash TEXT"""),
    "score_runs": ("score_run", """id INTEGER, ts_us INTEGER,
        tool_version TEXT, models TEXT, params TEXT, observations INTEGER,
        result TEXT, chain_seq INTEGER, chain_hash TEXT"""),
    "score_run_parts": ("score_run_part", """run_id INTEGER,
        part INTEGER, text TEXT, chain_seq INTEGER, chain_hash TEXT"""),
    "scores": ("score", """run_id INTEGER, hypothesis TEXT, link TEXT,
        belief REAL, disbelief REAL, uncertainty REAL, plausibility REAL,
        ci90_lo REAL, ci90_hi REAL, phrase TEXT, confidence TEXT,
        flags TEXT, chain_seq INTEGER, chain_hash TEXT"""),
    "score_evidence": ("score_evidence", """run_id INTEGER,
        hypothesis TEXT, link TEXT, item TEXT, item_type TEXT,
        direction TEXT, forgeability REAL, specificity REAL,
        reliability TEXT, discount REAL, matches INTEGER, cited TEXT,
        origin TEXT, chain_seq INTEGER, chain_hash TEXT"""),
}
TABLES = {t: (k, [tuple(c.split()) for c in cols.split(",")])
          for t, (k, cols) in TABLES.items()}

# A case of schema version 4 (docs/evidence.md): every chain_hash is a
# BLOB (the hash's 32 bytes), and observations are rows of
# observation_rows referring to packets, indicator_values and details;
# their entries hold them as the view observations gives them (the columns
# of the older observations table), with the hash as hex text.
TABLES_4 = {t: (k, [(n, "BLOB" if n == "chain_hash" else ty)
                    for n, ty in cols]) for t, (k, cols) in TABLES.items()}
VIEW_TABLES = {t: [tuple(c.split()) for c in cols.split(",")]
               for t, cols in {
    "packets": """id INTEGER, source_id INTEGER, frame INTEGER,
        file_offset INTEGER, caplen INTEGER, ts_us INTEGER, sha256 BLOB""",
    "indicator_values": "id INTEGER, kind TEXT, value TEXT",
    "details": "id INTEGER, text TEXT",
    "observation_rows": """id INTEGER, packet_id INTEGER, flow_id INTEGER,
        value_id INTEGER, detail_id INTEGER, chain_seq INTEGER,
        chain_hash BLOB""",
}.items()}

# The view a version-4 case reads its observations through; its text
# must be this one, white space aside (docs/evidence.md).
OBSERVATIONS_VIEW = """CREATE VIEW observations AS
  SELECT o.id AS id, p.source_id AS source_id, p.frame AS frame,
         p.file_offset AS file_offset, p.caplen AS caplen,
         p.ts_us AS ts_us, o.flow_id AS flow_id, v.kind AS kind,
         v.value AS value, d.text AS detail,
         lower(hex(p.sha256)) AS packet_sha256, o.chain_seq AS chain_seq,
         lower(hex(o.chain_hash)) AS chain_hash
  FROM observation_rows o JOIN packets p ON p.id = o.packet_id
       JOIN indicator_values v ON v.id = o.value_id
       LEFT JOIN details d ON d.id = o.detail_id"""
CHAIN_COLS = ("chain_seq", "chain_hash")


def layout_tables(db):
    """The chained tables of the case's layout: version 4 when it has a
    table observation_rows, the older one otherwise."""
    r = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                   "name='observation_rows'").fetchone()
    return TABLES_4 if r else TABLES


class Text(bytes):
    """A TEXT value, as its stored bytes (BLOBs stay plain bytes)."""


class Error(Exception):
    """The case cannot be read (exit 2)."""


class Damaged(Exception):
    """The database file is damaged (a finding: exit 1)."""


HEX64 = re.compile(rb"[0-9a-f]{64}\Z")
PACK_Q, PACK_I = struct.Struct(">q").pack, struct.Struct(">I").pack


def is_hash(v):
    return isinstance(v, Text) and HEX64.match(v) is not None


def stored_hash(v, tables, table=None):
    """A stored chain_hash as 64 hex characters, or None when it is not
    one: 64 hex characters as TEXT before version 4, 32 bytes as a BLOB
    from it (which the view observations gives as hex)."""
    if tables is TABLES_4 and table != "observations":
        if type(v) is bytes and len(v) == 32:
            return v.hex()
        return None
    return bytes(v).decode() if is_hash(v) else None


# ---- the canonical encoding (docs/evidence.md) ----------------------------

def encode_value(v):
    t = type(v)
    if t is int:
        return b"I" + PACK_Q(v)
    if t is Text:
        return b"T" + PACK_I(len(v)) + v
    if v is None:
        return b"N"
    if t is bytes:
        return b"B" + PACK_I(len(v)) + v
    if t is float:
        return b"R" + struct.pack(">d", v)
    raise TypeError(t)


def encode_entry(seq, prev, kind, values):
    out = [MAGIC, struct.pack(">Q", seq), prev.encode("ascii"),
           PACK_I(len(kind)), kind.encode("ascii")]
    out += [encode_value(v) for v in values]
    out.append(PACK_I(len(values)))
    return b"".join(out)


def entry_hash(seq, prev, kind, values):
    e = encode_entry(seq, prev, kind, values)
    if len(e) > MAX_ENTRY:
        return None, e
    return hashlib.sha256(e).hexdigest(), e


# ---- reading the case -----------------------------------------------------

def connect(path, writable=False):
    if not os.path.exists(path):
        raise Error("%s: no such file" % path)
    mode = "rw" if writable else "ro"
    try:
        uri = "file:%s?mode=%s" % (urllib.parse.quote(os.path.abspath(path)),
                                   mode)
        db = sqlite3.connect(uri, uri=True)
        db.text_factory = Text
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        if getattr(e, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
            raise Damaged("%s: %s" % (path, e))
        raise Error("%s: cannot read the database: %s" % (path, e))
    return db


def table_columns(db, table):
    """[(name, declared type)] of a table, [] when it does not exist."""
    rows = db.execute("PRAGMA table_info(%s)" % table).fetchall()
    return [(bytes(r[1]).decode("utf-8", "replace"),
             bytes(r[2]).decode("utf-8", "replace")) for r in rows]


class Entry:
    __slots__ = ("seq", "table", "kind", "rowid", "values", "stored", "ident")

    def __init__(self, seq, table, kind, rowid, values, stored, ident):
        self.seq, self.table, self.kind, self.rowid = seq, table, kind, rowid
        self.values, self.stored, self.ident = values, stored, ident


def read_entries(db, table, kind, problems):
    """Every row of table with a chain_seq, as Entry objects."""
    cols = [c[0] for c in table_columns(db, table)]
    if not cols:
        return []
    if not all(c in cols for c in CHAIN_COLS):
        problems.append("table %s has no chain columns" % table)
        return []
    content = [c for c in cols if c not in CHAIN_COLS]
    # a view has no rowid: the observations view is read by id
    is_view = db.execute("SELECT 1 FROM sqlite_master WHERE type='view' "
                         "AND name=?", (table,)).fetchone()
    sql = "SELECT %s, chain_seq, chain_hash, %s FROM %s " \
          "WHERE chain_seq IS NOT NULL" % (
              "id" if is_view else "rowid",
              ", ".join('"%s"' % c for c in content), table)
    out = []
    for r in db.execute(sql):
        rowid, seq, stored, values = r[0], r[1], r[2], list(r[3:])
        ident = values[content.index("id")] if "id" in content else rowid
        if not isinstance(seq, int) or isinstance(seq, bool):
            problems.append("%s %s: chain_seq is not an integer" % (kind, ident))
            try:
                seq = int(float(seq))
            except (TypeError, ValueError):
                continue
        out.append(Entry(seq, table, kind, rowid, values, stored, ident))
    return out


def all_entries(db, problems):
    entries = []
    tables = layout_tables(db)
    order = {t: i for i, t in enumerate(tables)}
    for table, (kind, _) in tables.items():
        entries += read_entries(db, table, kind, problems)
    entries.sort(key=lambda e: (e.seq, order[e.table]))
    return entries


# ---- the checks -----------------------------------------------------------

def check_integrity(db, problems):
    try:
        r = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as e:
        problems.append("database damaged: %s" % e)
        return
    if [bytes(x[0]) for x in r] != [b"ok"]:
        problems.append("database damaged: integrity check: %s" %
                        bytes(r[0][0]).decode("utf-8", "replace"))


# Columns added later: a case made before keeps its older definition
# (docs/evidence.md), which is the current one without them.
ADDED_LATER = {"flows": [("community_id", "TEXT")]}


def check_definitions(db, problems):
    tables = layout_tables(db)
    if tables is TABLES_4:
        r = db.execute("SELECT sql FROM sqlite_master WHERE type='view' "
                       "AND name='observations'").fetchone()
        got = " ".join(bytes(r[0]).decode("utf-8", "replace").split()) \
            if r and r[0] is not None else None
        if got != " ".join(OBSERVATIONS_VIEW.split()):
            problems.append("the view observations is not defined as "
                            "docs/evidence.md says")
        for table, want in VIEW_TABLES.items():
            if table_columns(db, table) != want:
                problems.append("table %s is not defined as "
                                "docs/evidence.md says" % table)
    for table, (_, want) in tables.items():
        if tables is TABLES_4 and table == "observations":
            continue  # the view: its text is checked above
        got = table_columns(db, table)
        older = [c for c in want if c not in ADDED_LATER.get(table, [])]
        if tables is TABLES_4:
            older = want
        if got and got != want and got != older:
            problems.append("table %s is not defined as docs/evidence.md "
                            "says" % table)
        # A reference to a column or table that is not there leaves the
        # table unusable (SQLite: "foreign key mismatch"): the definition
        # was changed even where the column list was not.
        for fk in db.execute("PRAGMA foreign_key_list(%s)" % table):
            parent = bytes(fk[2]).decode("utf-8", "replace")
            to = fk[4]
            cols = [c for c, _ in table_columns(db, parent)]
            if not cols or (to is not None and
                            bytes(to).decode("utf-8", "replace") not in cols):
                problems.append("table %s is not defined as docs/evidence.md "
                                "says (a reference to %s that is not "
                                "there)" % (table, parent))


def walk_chain(entries, problems, tables):
    """Recomputes every entry; returns (head seq, head hash, {seq: hash})."""
    prev, expect, seen = GENESIS, 1, {}
    for e in entries:
        if e.seq < expect:
            problems.append("%s %s reuses chain entry %d (rows reordered or "
                            "duplicated)" % (e.kind, e.ident, e.seq))
            continue
        if e.seq > expect:
            problems.append("chain entries %d-%d are missing (rows deleted) "
                            "before %s %s" % (expect, e.seq - 1, e.kind,
                                              e.ident))
        try:
            h, _ = entry_hash(e.seq, prev, e.kind, e.values)
        except TypeError:
            h = None
        stored = stored_hash(e.stored, tables, e.table)
        if h is None or stored is None or stored != h:
            problems.append("%s %s (chain entry %d) was changed" %
                            (e.kind, e.ident, e.seq))
        prev = stored if stored is not None else (h or GENESIS)
        seen[e.seq] = prev
        expect = e.seq + 1
    return expect - 1, prev, seen


def check_unchained(db, problems):
    q = {
        "sources": "SELECT id FROM sources WHERE chain_seq IS NULL AND "
                   "status IS NOT 'partial'",
        "anomalies": "SELECT rowid FROM anomalies a WHERE chain_seq IS NULL "
                     "AND NOT EXISTS (SELECT 1 FROM sources s WHERE "
                     "s.id = a.source_id AND s.status = 'partial')",
    }
    tables = layout_tables(db)
    if tables is TABLES_4:
        q["observations"] = ("SELECT id FROM observation_rows WHERE "
                             "chain_seq IS NULL")
    for table in tables:
        if not table_columns(db, table):
            continue
        sql = q.get(table, "SELECT rowid FROM %s WHERE chain_seq IS NULL"
                    % table)
        for (ident,) in db.execute(sql):
            problems.append("%s row %s is not in the chain (inserted outside "
                            "attrib)" % (table, ident))
    if tables is not TABLES_4:
        return
    # rows of the tables the view reads that no observation refers to
    for table, col in (("packets", "packet_id"),
                       ("indicator_values", "value_id"),
                       ("details", "detail_id")):
        for (ident,) in db.execute(
                "SELECT id FROM %s WHERE id NOT IN (SELECT %s FROM "
                "observation_rows WHERE %s IS NOT NULL)" % (table, col, col)):
            problems.append("%s row %s is not in the chain (no observation "
                            "refers to it: inserted outside attrib)"
                            % (table, ident))
    for (ident,) in db.execute(
            "SELECT id FROM observation_rows o WHERE NOT EXISTS (SELECT 1 "
            "FROM packets p WHERE p.id = o.packet_id) OR NOT EXISTS (SELECT 1 "
            "FROM indicator_values v WHERE v.id = o.value_id) OR "
            "(o.detail_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM details d "
            "WHERE d.id = o.detail_id))"):
        problems.append("observation %s refers to a packet, value or detail "
                        "that is not there" % ident)


def check_meta(db, head_seq, head_hash, problems):
    meta = {}
    if table_columns(db, "meta"):
        for k, v in db.execute("SELECT key, value FROM meta"):
            meta[bytes(k).decode("utf-8", "replace")] = v
    seq = meta.get("chain_seq")
    head = meta.get("chain_head")
    try:
        seq = int(bytes(seq).decode()) if seq is not None else 0
    except ValueError:
        seq = -1
    head = bytes(head).decode("utf-8", "replace") if head is not None \
        else GENESIS
    if seq != head_seq or head != head_hash:
        problems.append("the head stored in the database (entry %d) differs "
                        "from the recomputed head (entry %d)" %
                        (seq, head_seq))


def read_head_file(path):
    """{'seq':..,'hash':..,'pending-seq':..,'pending-hash':..}; None when
    the file is absent; raises ValueError when it is not a head file."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("ascii").splitlines()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ValueError("not ASCII")
    if not lines or lines[0] != "attrib-head 1":
        raise ValueError("first line is not 'attrib-head 1'")
    h = {}
    for line in lines[1:]:
        key, _, val = line.partition(" ")
        if key in ("seq", "pending-seq"):
            h[key] = int(val)
        elif key in ("hash", "pending-hash"):
            if not is_hash(Text(val.encode())):
                raise ValueError("bad %s" % key)
            h[key] = val
    if "seq" not in h or "hash" not in h:
        raise ValueError("no seq or hash line")
    return h


def check_head_file(path, head_seq, head_hash, seen, problems, notes):
    try:
        h = read_head_file(path)
    except (ValueError, OSError) as e:
        problems.append("head file %s is not an attrib head file (%s)" %
                        (path, e))
        return
    if h is None:
        notes.append("no head file at %s: the chain was checked against "
                     "itself only" % path)
        return
    if (head_seq, head_hash) == (h["seq"], h["hash"]) or \
       (head_seq, head_hash) == (h.get("pending-seq"), h.get("pending-hash")):
        notes.append("head matches the head file %s (entry %d)" %
                     (path, head_seq))
    elif head_seq < h["seq"]:
        problems.append("chain truncated: the head file names entry %d, the "
                        "database ends at %d" % (h["seq"], head_seq))
    elif head_seq > h["seq"] and seen.get(h["seq"]) == h["hash"]:
        problems.append("%d entries after the head file's entry %d (which "
                        "matches)" % (head_seq - h["seq"], h["seq"]))
    else:
        problems.append("chain rewritten: entry %d differs from the head "
                        "file" % h["seq"])


def sha256_file(path):
    d = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            d.update(block)
    return d.hexdigest()


def read_record(f, offset, caplen):
    """The caplen data bytes of the packet record at offset (see
    docs/evidence.md, Verifying a case, step 8); raises ValueError."""
    f.seek(0)
    magic = f.read(4)
    if magic == b"\x0a\x0d\x0d\x0a":
        f.seek(offset)
        hdr = f.read(28)
        if len(hdr) < 12:
            raise ValueError("offset past the end")
        order = ">" if struct.unpack(">I", hdr[:4])[0] < 256 else "<"
        btype = struct.unpack(order + "I", hdr[:4])[0]
        if btype in (6, 2):
            if len(hdr) < 28:
                raise ValueError("block cut short")
            stored, data_at = struct.unpack(order + "I", hdr[20:24])[0], 28
        elif btype == 3:
            stored, data_at = caplen, 12
        else:
            raise ValueError("no packet block at offset")
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d",
                   b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = ">" if magic[0] == 0xa1 else "<"
        if offset < 24:
            raise ValueError("no record at offset")
        f.seek(offset)
        hdr = f.read(16)
        if len(hdr) < 16:
            raise ValueError("no record at offset")
        stored, data_at = struct.unpack(order + "I", hdr[8:12])[0], 16
    else:
        raise ValueError("not a pcap or pcapng file")
    if stored != caplen:
        raise ValueError("record holds %d bytes, not %d" % (stored, caplen))
    f.seek(offset + data_at)
    data = f.read(caplen)
    if len(data) != caplen:
        raise ValueError("packet bytes cut short")
    return data


def text(v):
    if v is None:
        return ""
    return bytes(v).decode("utf-8", "replace") if isinstance(v, bytes) \
        else str(v)


def check_files(db, problems, notes):
    paths = {}
    stats = {"rehashed": 0, "missing": 0, "unfinished": 0, "packets": 0,
             "unchecked": 0}
    if not table_columns(db, "sources"):
        return stats
    for sid, path, sha, status in db.execute(
            "SELECT id, path, sha256, status FROM sources"):
        path, sha = text(path), text(sha)
        paths[sid] = path
        if text(status) == "partial":
            stats["unfinished"] += 1
        if not sha:
            continue
        elif not os.path.isfile(path):
            stats["missing"] += 1
            notes.append("source %s %s is missing" % (sid, path))
        else:
            stats["rehashed"] += 1
            if sha256_file(path) != sha:
                problems.append("source %s %s changed: its SHA-256 is not the "
                                "recorded one" % (sid, path))
    if layout_tables(db) is TABLES_4:
        cited = ("SELECT source_id, frame, file_offset, caplen, sha256 "
                 "FROM packets ORDER BY source_id, file_offset")
    elif table_columns(db, "observations"):
        cited = ("SELECT DISTINCT source_id, frame, file_offset, caplen, "
                 "packet_sha256 FROM observations ORDER BY source_id, "
                 "file_offset")
    else:
        return stats
    files = {}
    for sid, frame, off, caplen, sha in db.execute(cited):
        if type(sha) is bytes:
            sha = Text(sha.hex().encode())
        path = paths.get(sid)
        if path and path not in files:
            try:
                files[path] = open(path, "rb")
            except OSError:
                files[path] = None
        f = files.get(path) if path else None
        if f is None or not isinstance(off, int) or \
           not isinstance(caplen, int) or caplen < 0 or off < 0:
            stats["unchecked"] += 1
            continue
        stats["packets"] += 1
        try:
            data = read_record(f, off, caplen)
        except ValueError as e:
            problems.append("source %s frame %s: %s" % (sid, frame, e))
            continue
        if hashlib.sha256(data).hexdigest() != text(sha):
            problems.append("source %s frame %s (offset %d): packet bytes no "
                            "longer match the observation's hash" %
                            (sid, frame, off))
    for f in files.values():
        if f:
            f.close()
    return stats


# ---- modes ----------------------------------------------------------------

def verify(args):
    problems, notes = [], []
    db = connect(args.db)
    try:
        check_integrity(db, problems)
        check_definitions(db, problems)
        entries = all_entries(db, problems)
        head_seq, head_hash, seen = walk_chain(entries, problems,
                                               layout_tables(db))
        check_unchained(db, problems)
        check_meta(db, head_seq, head_hash, problems)
        check_head_file(args.head or args.db + ".head", head_seq, head_hash,
                        seen, problems, notes)
        stats = None if args.no_files else check_files(db, problems, notes)
    except sqlite3.DatabaseError as e:
        problems.append("database damaged: %s" % e)
        head_seq, head_hash, stats = 0, GENESIS, None
    finally:
        db.close()
    if not args.quiet:
        print("chain_verify: %d entries, head %d %s" % (
            head_seq, head_seq, head_hash))
        for n in notes:
            print("chain_verify: " + n)
        if stats:
            print("chain_verify: sources re-hashed %(rehashed)d, missing "
                  "%(missing)d, unfinished %(unfinished)d; cited packets "
                  "re-read %(packets)d, not checkable %(unchecked)d" % stats)
        for p in problems[:10]:
            print("chain_verify: problem: " + p)
        if len(problems) > 10:
            print("chain_verify: ... %d problems in all" % len(problems))
    print("chain_verify: %s" % ("TAMPERED — " + problems[0] if problems
                                else "intact"))
    return 1 if problems else 0


def show_entry(args):
    db = connect(args.db)
    problems = []
    entries = [e for e in all_entries(db, problems)]
    tables = layout_tables(db)
    prev = GENESIS
    for e in entries:
        h, enc = entry_hash(e.seq, prev, e.kind, e.values)
        if e.seq == args.entry:
            print("entry %d: %s %s, %d bytes" % (e.seq, e.kind, e.ident,
                                                  len(enc)))
            for i in range(0, len(enc), 16):
                chunk = enc[i:i + 16]
                hx = " ".join("%02x" % b for b in chunk)
                asc = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
                print("%04x  %-47s  %s" % (i, hx, asc))
            print("sha256 %s" % h)
            stored = stored_hash(e.stored, tables, e.table)
            print("stored %s" % (stored or text(e.stored)))
            return 0
        prev = stored_hash(e.stored, tables, e.table) or h
    print("chain_verify: no entry %d" % args.entry, file=sys.stderr)
    return 2


def rechain(args):
    """The perfect forger: renumbers the chained rows 1..N in their current
    order and rewrites every hash and the head in meta."""
    db = connect(args.db, writable=True)
    problems = []
    entries = all_entries(db, problems)
    blob = layout_tables(db) is TABLES_4
    prev = GENESIS
    with db:
        for n, e in enumerate(entries, 1):
            h, _ = entry_hash(n, prev, e.kind, e.values)
            # (the view's entries are rows of observation_rows, by id)
            db.execute("UPDATE %s SET chain_seq=?, chain_hash=? WHERE rowid=?"
                       % ("observation_rows" if blob and
                          e.table == "observations" else e.table),
                       (n, bytes.fromhex(h) if blob else h, e.rowid))
            prev = h
        db.execute("INSERT OR REPLACE INTO meta VALUES('chain_seq', ?)",
                   (str(len(entries)),))
        db.execute("INSERT OR REPLACE INTO meta VALUES('chain_head', ?)",
                   (prev,))
    db.close()
    print("chain_verify: rewrote %d entries, head %s" % (len(entries), prev))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--head", help="head file (default DB.head)")
    ap.add_argument("--no-files", action="store_true",
                    help="skip re-hashing source files and cited packets")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--entry", type=int, help="show the encoding of entry N")
    ap.add_argument("--rechain", action="store_true",
                    help="rewrite the chain consistently (test use)")
    args = ap.parse_args()
    try:
        if args.entry is not None:
            return show_entry(args)
        if args.rechain:
            return rechain(args)
        return verify(args)
    except Damaged as e:
        print("chain_verify: TAMPERED — database damaged: %s" % e)
        return 1
    except Error as e:
        print("chain_verify: error: %s" % e, file=sys.stderr)
        return 2
    except sqlite3.Error as e:
        print("chain_verify: error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
