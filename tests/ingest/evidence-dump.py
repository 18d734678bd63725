#!/usr/bin/env python3
"""evidence-dump.py [--no-custody] CASE.db — prints the evidence of a case in chain order,
without what differs between two ingests of the same files (custody
entries' times, the hash chain values that follow them, ingest times), so
that two cases can be compared with diff: every flow, observation and
anomaly row with its place in the chain, each source's packets and status
(the observations as the view of a schema-4 case gives them, with the
packet, value and detail they refer to).
With --no-custody, custody entries are left out and rows are printed in
chain order without their sequence numbers (an interrupted and resumed
ingest has custody entries of its own).
"""
import sqlite3
import sys


def main():
    args = sys.argv[1:]
    no_custody = args[:1] == ["--no-custody"]
    if no_custody:
        args = args[1:]
    db = sqlite3.connect("file:%s?mode=ro" % args[0], uri=True)
    out = sys.stdout
    for row in db.execute(
            "SELECT id, path, sha256, packets, status, first_flow_id "
            "FROM sources ORDER BY id"):
        out.write("source %r\n" % (row,))
    tables = {
        "flows": "id, source_id, ip_version, l4_proto, client, client_port,"
                 " server, server_port, vlan, tunnel, tunnel_id, first_ts_us,"
                 " last_ts_us, first_frame, last_frame, packets_c2s,"
                 " packets_s2c, bytes_c2s, bytes_s2c, proto, master_id,"
                 " app_id, category, risk, guessed, close_reason",
        "observations": "*",
        "anomalies": "source_id, name, count, first_frame",
    }
    rows = []
    for table, cols in tables.items():
        cur = db.execute("SELECT chain_seq, %s FROM %s" % (cols, table))
        names = [d[0] for d in cur.description]
        for r in cur:
            rec = dict(zip(names, r))
            rec.pop("chain_hash", None)
            seq = rec["chain_seq"] or 0
            if no_custody:
                rec.pop("chain_seq", None)
            rows.append((seq, table, sorted(rec.items())))
    if not no_custody:
        for seq, in db.execute("SELECT chain_seq FROM custody"):
            rows.append((seq or 0, "custody", []))
    rows.sort(key=lambda x: (x[0], x[1]))
    for seq, table, rec in rows:
        if no_custody:
            out.write("%s %r\n" % (table, rec))
        else:
            out.write("%s %s %r\n" % (seq, table, rec))


if __name__ == "__main__":
    main()
