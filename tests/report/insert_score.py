#!/usr/bin/env python3
"""insert_score.py -- test helper: appends a score run to a case.

    insert_score.py CASE.db SCORE.json [--head FILE]

Adds SCORE.json (a score document, docs/report-format.md) as a new row of
score_runs, chained as docs/evidence.md defines (entry kind score_run),
moves the head in meta and rewrites the head file the way attrib does, so
the case still verifies. The report tests use it to render hand-made score
documents (hostile names, flags) without going through model files.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "oracle"))
import chain_verify as cv  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("score")
    ap.add_argument("--head")
    args = ap.parse_args()
    with open(args.score, "rb") as f:
        raw = f.read()
    doc = json.loads(raw)
    db = cv.connect(args.db, writable=True)
    seq = int(bytes(db.execute("SELECT value FROM meta WHERE key='chain_seq'")
                    .fetchone()[0]))
    prev = bytes(db.execute("SELECT value FROM meta WHERE key='chain_head'")
                 .fetchone()[0]).decode()
    run_id = db.execute("SELECT coalesce(max(id),0)+1 FROM score_runs"
                        ).fetchone()[0]
    models = json.dumps([{k: m.get(k) for k in ("path", "sha256", "format")}
                         for m in doc.get("models", [])])
    params = json.dumps(doc.get("parameters", {}))
    values = [run_id, 1790000000000000, cv.Text(b"0.1.0"),
              cv.Text(models.encode()), cv.Text(params.encode()),
              int(doc.get("observations", 0)), cv.Text(raw.rstrip(b"\n"))]
    h, _ = cv.entry_hash(seq + 1, prev, "score_run", values)
    if h is None:
        print("insert_score: document too large for one chain entry",
              file=sys.stderr)
        return 2
    # a case of schema version 4 stores the hash as its 32 bytes
    stored = bytes.fromhex(h) if cv.layout_tables(db) is cv.TABLES_4 else h
    with db:
        db.execute("INSERT INTO score_runs VALUES(?,?,?,?,?,?,?,?,?)",
                   [bytes(v).decode() if isinstance(v, cv.Text) else v
                    for v in values] + [seq + 1, stored])
        db.execute("UPDATE meta SET value=? WHERE key='chain_seq'",
                   (str(seq + 1),))
        db.execute("UPDATE meta SET value=? WHERE key='chain_head'", (h,))
    db.close()
    head = args.head or args.db + ".head"
    with open(head + ".tmp", "w") as f:
        f.write("attrib-head 1\nseq %d\nhash %s\n" % (seq + 1, h))
    os.replace(head + ".tmp", head)
    print("insert_score: run %d, head %d %s" % (run_id, seq + 1, h))
    return 0


if __name__ == "__main__":
    sys.exit(main())
