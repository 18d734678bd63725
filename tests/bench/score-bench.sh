#!/bin/sh
# Scoring benchmark: `attrib score` of a case holding 1,000,000
# observations (about 260,000 distinct values over seven kinds) against a
# model of 10,000 hypotheses, one pattern each plus a claim on every
# hundredth (exact values, name suffixes, CIDR networks, JA3 hashes,
# certificate fingerprints, user-agent globs; patterns on L1 and L2
# only). The case is built from a small real capture, then the synthetic
# observations are added with SQL (they are not chained: the benchmark
# measures matching, scoring and storing the run, not the ingest chain).
# Target (DESIGN.md "Performance targets"): under 5 s and 500 MB.
#   usage: tests/bench/score-bench.sh ATTRIB [ROUNDS]
set -eu
bin=$1
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
# (-v4: the case is made in the layout of schema version 4; the folder
# of the older layout stays for older builds)
dir=${SCORE_BENCH_DIR:-/var/cache/attrib-bench/score-10k-hyps-v4}
mkdir -p "$dir"
db=$dir/case.db
if [ ! -f "$dir/ready" ]; then
	rm -f "$db" "$db-wal" "$db-shm" "$db.head"
	"$bin" ingest --db "$db" "$root/pcaps/lab/random-traffic.pcap" > /dev/null
	python3 - "$db" "$dir/model.yaml" <<'PY'
import random, sqlite3, sys
rnd = random.Random(20261124)
db = sqlite3.connect(sys.argv[1])
domains = ["zone%03d.example" % i for i in range(500)]
names = ["h%05d.%s" % (i, domains[i % 500]) for i in range(60000)]
nets = ["198.51.100", "203.0.113", "192.0.2"] + ["10.%d.%d" % (a, b) for a in range(4) for b in range(64)]
addrs = ["%s.%d" % (nets[i % len(nets)], (i // len(nets)) % 256) for i in range(40000)]
ja3 = ["%032x" % rnd.getrandbits(128) for _ in range(600)]
certs = ["%040x" % rnd.getrandbits(160) for _ in range(6000)]
uas = ["Mozilla/5.0 (lab; build %d) agent-%d" % (i, i % 97) for i in range(1500)]
plan = [("dns.query", names, 300000), ("tls.sni", names, 150000),
        ("ip.dst", addrs, 200000), ("tls.ja3", ja3, 100000),
        ("http.user_agent", uas, 100000), ("tls.cert.sha1", certs, 50000),
        ("http.host", names, 100000)]
rows, oid = [], db.execute("SELECT coalesce(max(id),0) FROM observations").fetchone()[0]
sha = "0" * 64
for kind, pool, n in plan:
    for _ in range(n):
        oid += 1
        rows.append((oid, 1, 1, 24, 60, 1709510400000000 + oid, 0, kind,
                     pool[rnd.randrange(len(pool)) if rnd.random() < 0.6 else int(rnd.paretovariate(1.1)) % len(pool)], None, sha))
if db.execute("SELECT 1 FROM sqlite_master WHERE name='observation_rows'").fetchone():
    # schema 4: one packet row per observation (each has its own time),
    # one value row per distinct (kind, value)
    pid = db.execute("SELECT coalesce(max(id),0) FROM packets").fetchone()[0]
    vals = {(k, v): i for i, k, v in db.execute("SELECT id, kind, value FROM indicator_values")}
    vid = max(vals.values(), default=0)
    packets, obs = [], []
    for (o, src, frame, off, caplen, ts, flow, kind, value, detail, _) in rows:
        if (kind, value) not in vals:
            vid += 1
            vals[(kind, value)] = vid
        pid += 1
        packets.append((pid, src, frame, (1 << 40) + pid, caplen, ts, bytes(32)))  # offsets of no real packet
        obs.append((o, pid, flow, vals[(kind, value)], None))  # no detail
    db.executemany("INSERT OR IGNORE INTO indicator_values(id, kind, value) VALUES (?,?,?)",
                   [(i, k, v) for (k, v), i in vals.items()])
    db.executemany("INSERT INTO packets(id, source_id, frame, file_offset, caplen, ts_us, sha256) VALUES (?,?,?,?,?,?,?)", packets)
    db.executemany("INSERT INTO observation_rows(id, packet_id, flow_id, value_id, detail_id) VALUES (?,?,?,?,?)", obs)
else:
    db.executemany("INSERT INTO observations(id, source_id, frame, file_offset, caplen, ts_us, flow_id, kind, value, detail, packet_sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
db.execute("DELETE FROM indicators")
db.execute("INSERT INTO indicators SELECT kind, value, count(*), count(DISTINCT source_id), min(ts_us), max(ts_us) FROM observations GROUP BY kind, value")
db.commit()
print("observations:", db.execute("SELECT count(*) FROM observations").fetchone()[0],
      "distinct:", db.execute("SELECT count(*) FROM indicators").fetchone()[0])
out = ["format: attrib-model-1", "name: bench", "source: bench-intel", "hypotheses:"]
n = 0
for h in range(10000):
    out.append("  - id: actor-%05d" % h)
    if h % 100 == 0:
        out.append("    claims:")
        out.append("      - {id: c%05d, type: vendor-report, link: L3, reliability: B, credibility: 2, source: vendor-%d}" % (h, h % 7))
    out.append("    indicators:")
    for j in [h]:
        k = rnd.random()
        if k < 0.30:
            m = "{kind: dns.query, value: %s}" % rnd.choice(names)
        elif k < 0.50:
            m = "{kind: tls.sni, suffix: %s}" % rnd.choice(domains)
        elif k < 0.70:
            a = rnd.choice(addrs).split(".")
            ln = rnd.choice([24, 28, 32])
            m = "{kind: ip, cidr: %s/%d}" % (".".join(a), ln)
        elif k < 0.80:
            m = "{kind: tls.ja3, value: %s}" % rnd.choice(ja3)
        elif k < 0.90:
            m = "{kind: tls.cert.sha1, value: %s}" % rnd.choice(certs)
        elif k < 0.99:
            m = "{kind: http.host, value: %s}" % rnd.choice(names)
        else:
            m = "{kind: http.user_agent, glob: \"*agent-%d\"}" % rnd.randrange(97)
        n += 1
        out.append("      - {id: p%05d, match: %s, link: L%d, reliability: %s}"
                   % (n, m, 1 + j % 2, "ABCD"[j % 4]))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("patterns:", n)
PY
	touch "$dir/ready"
fi
best=""
for i in $(seq "$rounds"); do
	cp "$db" "$dir/run.db"
	rm -f "$dir/run.db-wal" "$dir/run.db-shm"
	s=$(date +%s.%N)
	/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB peak RSS" \
		"$bin" score --db "$dir/run.db" --models "$dir/model.yaml" \
		--json > "$dir/score.json" 2> "$dir/time.txt"
	e=$(date +%s.%N)
	t=$(echo "$e - $s" | bc)
	echo "score-bench: round $i: $(tail -1 "$dir/time.txt")"
	best=$(echo "$t $best" | tr ' ' '\n' | grep . | sort -g | head -1)
done
echo "score-bench: 1,000,000 observations x 10,000 hypotheses: best $best s (target < 5 s and 500 MB; peak RSS above)"
rm -f "$dir/run.db" "$dir/run.db-wal" "$dir/run.db-shm" "$dir/run.db.head"
