#!/usr/bin/env python3
"""compare.py ATTRIB A.db B.db [--models DIR] — do two cases hold the same
evidence? Exit 0 when they do, 1 (with the first differences) when not.

Compared, with ids left out (a merged case numbers sources, flows and
observations its own way; what they cite does not change):
  - indicators: `attrib indicators --json`, every object without "flow"
    and "flow_id",
    as a multiset;
  - flows: every column but id, source_id and the chain's, with the
    source's SHA-256, as a multiset;
  - scores: with --models, `attrib score --json` on a copy of each case,
    each hypothesis's id, links, chain, standards and flags.
"""
import collections
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile


def indicators(attrib, db):
    out = subprocess.run([attrib, "indicators", "--db", db, "--json"],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        o = json.loads(line)
        o.pop("flow", None)
        o.pop("flow_id", None)  # the flow id again, under Suricata's name
        rows.append(json.dumps(o, sort_keys=True))
    return collections.Counter(rows)


def flows(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cols = [r[1] for r in con.execute("PRAGMA table_info(flows)")
            if r[1] not in ("id", "source_id", "chain_seq", "chain_hash")]
    q = ("SELECT s.sha256, " + ", ".join("f." + c for c in cols) +
         " FROM flows f JOIN sources s ON s.id = f.source_id")
    rows = collections.Counter(tuple(r) for r in con.execute(q))
    con.close()
    return rows


def scores(attrib, db, models):
    tmp = tempfile.mkdtemp()
    try:
        copy = os.path.join(tmp, "case.db")
        con = sqlite3.connect(db)
        con.execute(f"VACUUM INTO '{copy}'")
        con.close()
        out = subprocess.run([attrib, "score", "--db", copy, "--models",
                              models, "--json"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp)
    keep = ("id", "links", "chain", "standards", "flags")
    return sorted((json.dumps({k: h.get(k) for k in keep}, sort_keys=True)
                   for h in json.loads(out)["hypotheses"]))


def diff(name, a, b):
    if a == b:
        print(f"compare: {name}: same ({sum(a.values()) if isinstance(a, collections.Counter) else len(a)})")
        return True
    print(f"compare: {name}: DIFFERENT")
    if isinstance(a, collections.Counter):
        for k in list((a - b).keys())[:5]:
            print(f"  only in A: {k}")
        for k in list((b - a).keys())[:5]:
            print(f"  only in B: {k}")
    return False


def main():
    args = sys.argv[1:]
    models = None
    if "--models" in args:
        i = args.index("--models")
        models = args[i + 1]
        del args[i:i + 2]
    attrib, a, b = args
    ok = diff("indicators", indicators(attrib, a), indicators(attrib, b))
    ok &= diff("flows", flows(a), flows(b))
    if models:
        ok &= diff("score hypotheses", scores(attrib, a, models),
                   scores(attrib, b, models))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
