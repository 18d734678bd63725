#!/usr/bin/env python3
"""Pivot and intel tests (make check step `intel`).

    python3 tests/intel/run.py build/attrib

On captures from ../shared/pcaps/ndpi (ATTRIB_PCAPS overrides):
  - flows: every flow has its Community ID; the filters --addr, --port,
    --proto and --community-id each select exactly the flows they name;
  - a case made before flows had community_id (schema without the column)
    ingests, verifies intact and lists its flows without the field;
  - indicators --json keeps its contract fields and adds detail, the
    5-tuple, community_id and flow_id, consistent with `attrib flows`;
    --eve writes Suricata-shaped events;
and the further checks below. Prints one line per check and
"intel: N passed, M failed"; exit 1 when any failed.
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PCAPS = os.environ.get("ATTRIB_PCAPS", os.path.join(ROOT, "..", "shared", "pcaps", "ndpi"))
CAPS = ["443-chrome.pcap", "4in6tunnel.pcap", "dns_long_domainname.pcap",
        "http_ipv6.pcap", "http-manipulated.pcap", "ssh.pcap", "icmp-tunnel.pcap"]

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print(f"intel: ok: {name}")


def bad(name, why=""):
    global failed
    failed += 1
    print(f"intel: FAILED: {name}{': ' + why if why else ''}")


def check(name, cond, why=""):
    (ok if cond else bad)(name, *([why] if not cond else []))


def run(args, want_rc=0):
    p = subprocess.run([ATTRIB] + args, capture_output=True, text=True)
    if want_rc is not None and p.returncode != want_rc:
        raise RuntimeError(f"attrib {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()[:300]}")
    return p


def jlines(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def test_flows(work, db):
    flows = jlines(run(["flows", "--db", db, "--json"]).stdout)
    check("flows: every flow listed", len(flows) > 10, f"{len(flows)} flows")
    with_cid = [f for f in flows if f.get("community_id", "").startswith("1:")]
    check("flows: every TCP/UDP flow has a Community ID",
          all(f.get("community_id") for f in flows if f["proto"] in ("TCP", "UDP")))
    keys = {"flow_id", "src_ip", "src_port", "dest_ip", "dest_port", "proto",
            "vlan", "tunnel", "first_frame", "last_frame", "first_ts", "last_ts",
            "pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient",
            "app_proto", "app_proto_guessed", "risks", "close_reason", "source_sha256"}
    missing = [k for k in keys if any(k not in f for f in flows)]
    check("flows: every field present", not missing, f"missing {missing}")
    f0 = with_cid[0]
    sel = jlines(run(["flows", "--db", db, "--json", "--community-id", f0["community_id"]]).stdout)
    check("flows --community-id selects its flows",
          sel and all(f["community_id"] == f0["community_id"] for f in sel)
          and len(sel) == sum(f.get("community_id") == f0["community_id"] for f in flows))
    sel = jlines(run(["flows", "--db", db, "--json", "--addr", f0["dest_ip"]]).stdout)
    check("flows --addr selects its flows",
          sel and all(f0["dest_ip"] in (f["src_ip"], f["dest_ip"]) for f in sel)
          and len(sel) == sum(f0["dest_ip"] in (f["src_ip"], f["dest_ip"]) for f in flows))
    sel = jlines(run(["flows", "--db", db, "--json", "--port", "443"]).stdout)
    check("flows --port selects its flows",
          sel and len(sel) == sum(443 in (f["src_port"], f["dest_port"]) for f in flows))
    sel = jlines(run(["flows", "--db", db, "--json", "--proto", "udp"]).stdout)
    check("flows --proto udp selects the UDP flows",
          sel and len(sel) == sum(f["proto"] == "UDP" for f in flows))
    sel = jlines(run(["flows", "--db", db, "--json", "--proto", "dns"]).stdout)
    check("flows --proto dns (nDPI's name) selects DNS flows",
          sel and all("dns" in f["app_proto"].lower().split(".") for f in sel))
    p = run(["flows", "--db", db, "--port", "x"], want_rc=2)
    check("flows --port x is a usage error", p.returncode == 2)
    return flows


def test_legacy_case(work):
    """A case whose flows table predates community_id (made in the
    layout of cases before schema version 4, as such a case was)."""
    db = os.path.join(work, "old.db")
    schema = open(os.path.join(ROOT, "analyze/evidence/schema_v3.sql")).read()
    schema = "\n".join(l for l in schema.splitlines() if not l.strip().startswith("community_id"))
    con = sqlite3.connect(db)
    con.executescript(schema)
    con.execute("INSERT INTO meta VALUES('schema_version','2')")
    con.commit()
    con.close()
    run(["ingest", "--db", db, os.path.join(PCAPS, CAPS[0])])
    v = run(["verify", "--db", db], want_rc=None)
    check("older case (no community_id column): ingest and verify intact",
          v.returncode == 0 and "intact" in v.stdout, v.stdout[-200:])
    flows = jlines(run(["flows", "--db", db, "--json"]).stdout)
    check("older case: flows listed without community_id",
          flows and all("community_id" not in f for f in flows))


def main():
    global ATTRIB
    if len(sys.argv) < 2:
        print("usage: run.py ATTRIB", file=sys.stderr)
        return 2
    ATTRIB = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="attrib-intel.")
    try:
        db = os.path.join(work, "case.db")
        run(["ingest", "--db", db] + [os.path.join(PCAPS, c) for c in CAPS])
        flows = test_flows(work, db)
        test_legacy_case(work)
        for extra in EXTRA:
            extra(work, db, flows)
    except RuntimeError as e:
        bad("unexpected", str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"intel: {passed} passed, {failed} failed")
    return 1 if failed else 0


EXTRA = []


CONTRACT = ["kind", "value", "source_sha256", "frame", "offset", "ts", "flow"]


def test_indicators_json(work, db, flows):
    obs = jlines(run(["indicators", "--db", db, "--json"]).stdout)
    check("indicators --json: contract fields first, in order",
          obs and all(list(o)[:7] == CONTRACT for o in obs))
    by_id = {f["flow_id"]: f for f in flows}
    withflow = [o for o in obs if o["flow"]]
    good = all(o["flow_id"] == o["flow"] and
               all(o[k] == by_id[o["flow"]][k] for k in
                   ("src_ip", "src_port", "dest_ip", "dest_port", "proto"))
               and o.get("community_id") == by_id[o["flow"]].get("community_id")
               for o in withflow)
    check("indicators --json: 5-tuple, community_id and flow_id match the flow",
          withflow and good)
    check("indicators --json: detail is an object",
          all(isinstance(o["detail"], dict) for o in obs))
    q = [o for o in obs if o["kind"] == "dns.query"]
    check("indicators --json: DNS detail structured (qtype, msg, rcode)",
          q and all(isinstance(o["detail"].get("qtype"), str) and
                    o["detail"].get("msg") in ("query", "response") for o in q))
    h = [o for o in obs if o["kind"] == "ssh.hassh"]
    check("indicators --json: client and server HASSH told apart by detail.side",
          {o["detail"].get("side") for o in h} == {"client", "server"})
    two = jlines(run(["indicators", "--db", db, "--json", "--kind", "dns.query",
                      "--kind", "ssh.hassh"]).stdout)
    check("indicators --kind repeated: exactly those kinds",
          two and {o["kind"] for o in two} == {"dns.query", "ssh.hassh"} and
          len(two) == sum(o["kind"] in ("dns.query", "ssh.hassh") for o in obs))
    p = run(["indicators", "--db", db, "--kind", "ssh.hash"], want_rc=2)
    check("indicators --kind mistyped: suggestion", "did you mean 'ssh.hassh'" in p.stderr,
          p.stderr)
    eve = jlines(run(["indicators", "--db", db, "--eve"]).stdout)
    check("indicators --eve: one event per observation", len(eve) == len(obs))
    common = ("timestamp", "event_type", "attrib")
    check("indicators --eve: common fields on every event",
          all(all(k in e for k in common) for e in eve))
    check("indicators --eve: flow fields where there is a flow",
          all(all(k in e for k in ("flow_id", "src_ip", "src_port", "dest_ip",
                                   "dest_port", "proto", "community_id"))
              for e in eve if e["attrib"]["kind"] in ("dns.query", "tls.sni",
                                                        "http.host", "ssh.banner")))
    dns = [e for e in eve if e["event_type"] == "dns"]
    check("indicators --eve: dns events carry rrname and rrtype",
          dns and all("rrname" in e["dns"] and "rrtype" in e["dns"] for e in dns
                      if e["attrib"]["kind"] == "dns.query"))
    tls = [e for e in eve if e["attrib"]["kind"] == "tls.sni"]
    check("indicators --eve: tls.sni is tls.sni",
          tls and all(e["event_type"] == "tls" and e["tls"]["sni"] == e["attrib"]["value"]
                      for e in tls))
    http = [e for e in eve if e["attrib"]["kind"] == "http.user_agent"]
    check("indicators --eve: http user agent with method",
          http and all(e["http"]["http_user_agent"] == e["attrib"]["value"] and
                       "http_method" in e["http"] for e in http))
    ssh = [e for e in eve if e["attrib"]["kind"] == "ssh.banner"]
    check("indicators --eve: ssh banner split as Suricata does",
          ssh and all(("client" in e["ssh"]) != ("server" in e["ssh"]) for e in ssh)
          and any(list(e["ssh"].values())[0].get("proto_version") == "2.0" for e in ssh))
    p = run(["indicators", "--db", db, "--json", "--eve"], want_rc=2)
    check("indicators --json --eve: usage error", p.returncode == 2)


EXTRA.append(test_indicators_json)


# ---- attrib match ------------------------------------------------------

MATCH_KINDS = {  # kind -> (list type name for CSV, MISP type, Zeek type)
    "ip.dst": ("ip", "ip-dst", "Intel::ADDR"),
    "dns.query": ("domain", "domain", "Intel::DOMAIN"),
    "tls.sni": ("hostname", "hostname", "Intel::DOMAIN"),
    "tls.ja3": ("ja3", "ja3-fingerprint-md5", None),
    "tls.ja4": ("ja4", None, None),
    "tls.cert.sha1": ("sha1", "x509-fingerprint-sha1", "Intel::CERT_HASH"),
    "http.user_agent": ("user-agent", "user-agent", "Intel::SOFTWARE"),
    "http.url": ("url", "url", "Intel::URL"),
    "ssh.hassh": ("hassh", "hassh-md5", None),
}


def pick_values(db):
    """Two distinct values per kind, from the case itself."""
    obs = jlines(run(["indicators", "--db", db, "--json"]).stdout)
    out = {}
    for o in obs:
        k = o["kind"]
        if k in MATCH_KINDS and "," not in o["value"] and "\t" not in o["value"]:
            vals = out.setdefault(k, [])
            if o["value"] not in vals and len(vals) < 2:
                vals.append(o["value"])
    return out


def match(db, *paths):
    p = run(["match", "--db", db, "--json", "--intel"] + list(paths))
    return jlines(p.stdout), p.stderr


def every_entry_hit(name, hits, entries):
    """entries: {(source, entry): value}; each must have a hit that cites
    its packet."""
    got = {}
    for h in hits:
        got.setdefault((h["intel"]["source"], h["intel"]["entry"]), []).append(h)
    missing = [f"{e[1]} ({v})" for e, v in entries.items() if e not in got]
    cited = all(len(h["source_sha256"]) == 64 and h["frame"] > 0 and
                ("community_id" in h or not h["flow"]) for h in hits)
    check(f"match: every entry of the {name} hits, cited", entries and not missing
          and cited, f"missing {missing[:5]}")


def test_match(work, db, flows):
    vals = pick_values(db)
    kinds = sorted(vals)
    check("match: the captures give values of at least 7 kinds", len(kinds) >= 7,
          str(kinds))
    d = os.path.join(work, "intel")
    os.makedirs(d)
    # plain list
    path = os.path.join(d, "iocs.txt")
    lines, entries = ["# values seen in the shared captures", ""], {}
    for k in kinds:
        for v in vals[k]:
            lines.append(v)
            entries[(path, f"line {len(lines)}")] = v
    lines.append("no such type of value")
    open(path, "w").write("\n".join(lines) + "\n")
    hits, err = match(db, path)
    every_entry_hit("plain list", hits, entries)
    check("match: a list line of no known type is reported", "type not recognised" in err, err)
    # CSV with a header
    path = os.path.join(d, "iocs.csv")
    rows, entries = ["indicator,type,source"], {}
    for k in kinds:
        for v in vals[k]:
            q = '"' + v.replace('"', '""') + '"'
            rows.append(f"{q},{MATCH_KINDS[k][0]},test feed")
            entries[(path, f"line {len(rows)}")] = v
    open(path, "w").write("\n".join(rows) + "\n")
    hits, _ = match(db, path)
    every_entry_hit("CSV", hits, entries)
    # Zeek intel
    path = os.path.join(d, "intel.dat")
    rows = ["#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc"]
    entries = {}
    for k in kinds:
        zt = MATCH_KINDS[k][2]
        if not zt:
            continue
        for v in vals[k]:
            if k == "http.url":
                v = v.split("://", 1)[1]
            rows.append(f"{v}\t{zt}\ttest\t-")
            entries[(path, f"line {len(rows)}")] = v
    rows.append("someone@example.com\tIntel::EMAIL\ttest\t-")
    open(path, "w").write("\n".join(rows) + "\n")
    hits, err = match(db, path)
    every_entry_hit("Zeek intel file", hits, entries)
    check("match: Zeek types without an observation are reported",
          "Intel::EMAIL" in err, err)
    # MISP event, and a feed folder of two events
    def misp_event(uuid, items):
        attrs, objs = [], []
        for i, (t, v) in enumerate(items):
            a = {"uuid": f"{uuid[:-4]}{i:04d}", "type": t, "value": v,
                 "category": "Network activity", "to_ids": True}
            (objs if i % 3 == 2 else attrs).append(a)
        attrs.append({"uuid": uuid[:-4] + "ffff", "type": "email-src",
                      "value": "x@example.com"})
        return {"Event": {"uuid": uuid, "info": "test event",
                          "Attribute": attrs,
                          "Object": [{"name": "x", "Attribute": objs}]}}
    items = [(MATCH_KINDS[k][1], v) for k in kinds if MATCH_KINDS[k][1] for v in vals[k]]
    ev_uuid = "5a3c3b2e-0000-4000-8000-00000000a000"
    ev = misp_event(ev_uuid, items)
    path = os.path.join(d, "event.json")
    json.dump(ev, open(path, "w"))
    entries = {(path, f"event {ev_uuid} attribute {ev_uuid[:-4]}{i:04d}"): v
               for i, (t, v) in enumerate(items)}
    hits, err = match(db, path)
    every_entry_hit("MISP event", hits, entries)
    check("match: MISP types without an observation are reported",
          "email-src" in err, err)
    feed = os.path.join(d, "feed")
    os.makedirs(feed)
    half = len(items) // 2
    entries, manifest = {}, {}
    for n, part in enumerate((items[:half], items[half:])):
        u = f"5a3c3b2e-0000-4000-8000-00000000b00{n}"
        manifest[u] = {"info": "test", "timestamp": "1"}
        p = os.path.join(feed, u + ".json")
        json.dump(misp_event(u, part), open(p, "w"))
        entries.update({(p, f"event {u} attribute {u[:-4]}{i:04d}"): v
                        for i, (t, v) in enumerate(part)})
    json.dump(manifest, open(os.path.join(feed, "manifest.json"), "w"))
    open(os.path.join(feed, "hashes.csv"), "w").write("x,y\n")
    open(os.path.join(feed, "stray.json"), "w").write("{}")
    hits, err = match(db, feed)
    every_entry_hit("MISP feed folder", hits, entries)
    check("match: feed folder lists its skipped files with the reason",
          "skipped " + os.path.join(feed, "stray.json") + ": not listed in manifest.json" in err
          and "hashes.csv: the feed's hash list" in err, err)
    # Suricata dataset: strings in base64, addresses and hashes as they are
    import base64
    path = os.path.join(d, "iocs.lst")
    rows, entries = [], {}
    for k in kinds:
        for v in vals[k]:
            raw = k in ("ip.dst", "tls.ja3", "ssh.hassh", "tls.cert.sha1")
            rows.append(v if raw else base64.b64encode(v.encode()).decode())
            entries[(path, f"line {len(rows)}")] = v
    open(path, "w").write("\n".join(rows) + "\n")
    hits, _ = match(db, path)
    every_entry_hit("Suricata dataset", hits, entries)
    # a mixed folder: files it cannot read are skipped with the reason
    mixed = os.path.join(d, "mixed")
    os.makedirs(os.path.join(mixed, "sub"))
    shutil.copy(os.path.join(d, "iocs.txt"), os.path.join(mixed, "sub", "a.txt"))
    open(os.path.join(mixed, "other.json"), "w").write('{"hello": 1}')
    hits, err = match(db, mixed)
    check("match: a folder is read with its subfolders", len(hits) > 0)
    check("match: a folder's unreadable file is listed with the reason",
          "skipped " + os.path.join(mixed, "other.json") + ": JSON that is neither" in err, err)
    # a model that includes a feed as one hypothesis's evidence
    model = os.path.join(d, "feed-model.yaml")
    open(model, "w").write(
        "format: attrib-model-1\nname: feed-test\nsource: test-feed\n"
        "hypotheses:\n  - id: feed-actor\n    name: Feed actor (test)\n"
        "    feeds:\n      - id: f1\n        path: iocs.csv\n"
        "        link: L1\n        reliability: C\n")
    p = run(["score", "--db", db, "--models", model, "--json"], want_rc=None)
    ev = []
    if p.returncode == 0:
        hs = [h for h in json.loads(p.stdout)["hypotheses"] if h["id"] == "feed-actor"]
        ev = [e for h in hs for e in h["evidence"] if e["matches"] > 0]
    check("model feeds: a CSV feed is one hypothesis's evidence at its link and rating",
          ev and all(e["link"] == "L1" and e["reliability"] == "C" and
                     e["id"].startswith("f1.") for e in ev), p.stderr[:300])
    open(model, "w").write(
        "format: attrib-model-1\nname: feed-test\nsource: test-feed\n"
        "hypotheses:\n  - id: feed-actor\n    feeds:\n      - id: f1\n"
        "        path: iocs.csv\n        link: L4\n        reliability: C\n")
    p = run(["score", "--db", db, "--models", model], want_rc=None)
    check("model feeds: a feed on L4 is a load error", p.returncode == 2 and
          "L1 or L2" in p.stderr, p.stderr[:200])
    p = run(["match", "--db", db, "--intel", os.path.join(d, "missing.txt")], want_rc=2)
    check("match: a named intel file that is missing is an input error", p.returncode == 2)


EXTRA.append(test_match)


def test_match_models(work, db, flows):
    """attrib's own models and STIX bundles as intel, on a lab scenario."""
    lab = os.path.join(work, "lab.db")
    run(["ingest", "--db", lab] + sorted(glob.glob(os.path.join(ROOT, "pcaps/lab/attr-*.pcap"))))
    hits, err = match(lab, os.path.join(ROOT, "models/lab/actors.yaml"),
                      os.path.join(ROOT, "models/stix/lab-intel.json"))
    srcs = {h["intel"]["source"].rsplit("/", 1)[1] for h in hits}
    check("match: YAML model and STIX bundle patterns hit the lab capture",
          srcs == {"actors.yaml", "lab-intel.json"}, str(srcs))
    check("match: model hits cite hypothesis and pattern",
          all(h["intel"]["entry"].startswith("hypothesis ") for h in hits))
    check("match: patterns only attrib score evaluates are reported",
          "glob patterns: matched by attrib score only" in err, err)
    hits, err = match(lab, os.path.join(ROOT, "models"))
    check("match: the models folder (subfolders too) reads, documentation skipped",
          hits and "README.md: documentation, not intel" in err, err[-300:])


EXTRA.append(test_match_models)


def test_exports(work, db, flows):
    """MISP export read back; STIX export re-imported."""
    lab = os.path.join(work, "exp.db")
    run(["ingest", "--db", lab] + sorted(glob.glob(os.path.join(ROOT, "pcaps/lab/attr-*.pcap"))))
    run(["score", "--db", lab, "--models", os.path.join(ROOT, "models/lab")])
    misp = os.path.join(work, "case.misp.json")
    run(["report", "--db", lab, "--format", "misp", "-o", misp])
    chk = [sys.executable, os.path.join(ROOT, "tests/intel/check_misp.py")]
    p = subprocess.run(chk + [misp, lab], capture_output=True, text=True)
    check("report --format misp: structure and citations read back", p.returncode == 0,
          p.stdout + p.stderr)
    ev = json.load(open(misp))["Event"]
    tags = {t["name"].split("=")[0] for a in ev["Attribute"] for t in a.get("Tag", [])}
    check("report --format misp: admiralty-scale and estimative-language tags",
          {"admiralty-scale:source-reliability",
           "estimative-language:likelihood-probability",
           "estimative-language:confidence-in-analytic-judgment"} <= tags, str(tags))
    bad = json.loads(json.dumps({"Event": ev}))
    bad["Event"]["Attribute"][0]["category"] = "Attribution"
    bad["Event"]["Attribute"][1]["Tag"] = [{"name": 'admiralty-scale:source-reliability="z"'}]
    badp = os.path.join(work, "bad.misp.json")
    json.dump(bad, open(badp, "w"))
    p = subprocess.run(chk + [badp], capture_output=True, text=True)
    check("check_misp rejects a broken event", p.returncode == 1, p.stdout)
    hits, _ = match(lab, misp)
    iocs = {(a["type"], a["value"]) for a in ev["Attribute"]
            if a["category"] == "Network activity"}
    hit = {(h["intel"]["note"].split(";")[0].replace("misp ", ""), h["intel"]["value"]) for h in hits}
    found = {a for a in iocs if any(v == a[1].lower() or v == a[1] or
                                    a[1].endswith(v) for t, v in hit if t == a[0])}
    check("the MISP export is intel attrib match reads: every attribute hits",
          iocs and found == iocs, f"{len(found)} of {len(iocs)}")
    stix = os.path.join(work, "case.stix.json")
    run(["report", "--db", lab, "--format", "stix", "-o", stix])
    b = json.load(open(stix))
    types = {o["type"] for o in b["objects"]}
    check("STIX: fingerprints through an extension-definition",
          "extension-definition" in types and "x-attrib-fingerprint" in types and
          all(any(k.startswith("extension-definition--") for k in o.get("extensions", {}))
              for o in b["objects"] if o["type"] == "x-attrib-fingerprint"))
    pats = [o["pattern"] for o in b["objects"] if o["type"] == "indicator"]
    check("STIX: user agents through http-request-ext",
          any("http-request-ext" in p and "User-Agent" in p for p in pats)
          and not any("x-attrib-indicator:value" in p and "user_agent" in p for p in pats))
    p = run(["score", "--db", lab, "--models", stix, "--json"], want_rc=None)
    ok_ = p.returncode == 0
    doc = json.loads(p.stdout) if ok_ else {}
    # what was seen of behaviour (beacons, working hours) is exported as a
    # record, not as a pattern attrib can evaluate again
    left = [n for n in doc.get("not_evaluated", [])
            if "x-attrib-indicator:kind = 'beacon'" not in n["pattern"]
            and "x-attrib-indicator:kind = 'activity.hours'" not in n["pattern"]]
    check("STIX round trip: attrib score loads the export; every address, name, "
          "fingerprint, certificate and user-agent pattern evaluated",
          ok_ and not left and doc.get("hypotheses"),
          (p.stderr or str(left))[:300])


EXTRA.append(test_exports)


def test_geo(work, db, flows):
    """MaxMind enrichment with databases written by the Perl writer."""
    if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"],
                      capture_output=True).returncode != 0:
        bad("geo: libmaxmind-db-writer-perl is missing (.ci/deps installs it)")
        return
    mk = os.path.join(ROOT, "tests/intel/make_mmdb.pl")
    asn, cc = os.path.join(work, "asn.mmdb"), os.path.join(work, "cc.mmdb")
    addrs = sorted({f["dest_ip"] for f in flows if ":" not in f["dest_ip"]})[:3]
    subprocess.run(["perl", mk, asn, "asn"] +
                   [f"{a}=645{i:02d}:Test Net {i}" for i, a in enumerate(addrs)], check=True)
    subprocess.run(["perl", mk, cc, "country"] + [f"{a}=X{'ABC'[i]}" for i, a in enumerate(addrs)],
                   check=True)
    geo = ["--asn", asn, "--geoip", cc]
    fl = jlines(run(["flows", "--db", db, "--json"] + geo).stdout)
    want = {a: (64500 + i, f"X{'ABC'[i]}") for i, a in enumerate(addrs)}
    good = all(f.get("dest_geo", {}).get("asn") == want[f["dest_ip"]][0] and
               f["dest_geo"].get("country") == want[f["dest_ip"]][1]
               for f in fl if f["dest_ip"] in want)
    none = all("dest_geo" not in f for f in fl if f["dest_ip"] not in want and
               f["dest_ip"] not in {x["src_ip"] for x in fl if False})
    check("geo: flows --json annotates dest_geo (ASN, organisation, country)",
          good and any(f["dest_ip"] in want for f in fl) and none)
    obs = jlines(run(["indicators", "--db", db, "--json", "--kind", "ip.dst"] + geo).stdout)
    check("geo: indicators --json annotates value_geo of addresses",
          any(o.get("value_geo", {}).get("asn") == want.get(o["value"], (0,))[0]
              for o in obs if o["value"] in want))
    con = sqlite3.connect(db)
    rows = [r[0] for r in con.execute("SELECT detail FROM custody WHERE action='enrich'")]
    con.close()
    sha = subprocess.run(["sha256sum", asn], capture_output=True, text=True).stdout[:64]
    check("geo: each use recorded in custody with the database's SHA-256 and build epoch",
          any(f"sha256={sha}" in r and "build_epoch=" in r and "type=attrib-test-ASN" in r
              for r in rows) and len(rows) >= 4, str(rows[-2:]))
    lab = os.path.join(work, "exp.db")
    rj, rh = os.path.join(work, "geo.json"), os.path.join(work, "geo.html")
    # the lab case's servers: documentation addresses
    subprocess.run(["perl", mk, asn, "asn", "198.51.100.0/24=64511:Doc Net 3",
                    "203.0.113.0/24=64511:Doc Net 3"], check=True)
    subprocess.run(["perl", mk, cc, "country", "198.51.100.0/24=ZZ", "203.0.113.0/24=ZZ"],
                   check=True)
    run(["report", "--db", lab, "-o", rj] + geo)
    run(["report", "--db", lab, "-o", rh] + geo)
    doc = json.load(open(rj))
    tops = [t for k in doc["indicators"]["kinds"] if k["kind"] == "ip.dst" for t in k["top"]]
    check("geo: report JSON annotates address values and lists the databases",
          any(t.get("geo", {}).get("asn") == 64511 for t in tops) and
          {e["role"] for e in doc.get("enrichment", [])} == {"asn", "geoip"})
    v = subprocess.run([sys.executable, os.path.join(ROOT, "tests/report/validate_json.py"),
                        os.path.join(ROOT, "docs/report-schema.json"), rj],
                       capture_output=True, text=True)
    check("geo: the annotated report is valid against docs/report-schema.json",
          v.returncode == 0, (v.stdout + v.stderr)[-300:])
    html = open(rh).read()
    check("geo: HTML report shows ASN, organisation and country",
          "AS64511 Doc Net 3, ZZ" in html)
    rs = os.path.join(work, "geo.stix.json")
    run(["report", "--db", lab, "-o", rs] + geo)
    b = json.load(open(rs))
    by_id = {o["id"]: o for o in b["objects"]}
    annotated = [o for o in b["objects"] if o["type"] == "ipv4-addr" and
                 o["value"].startswith(("198.51.100.", "203.0.113."))]
    check("geo: STIX addresses belong to their autonomous-system and carry the country",
          annotated and all(o.get("x_attrib_country") == "ZZ" and
                            by_id[o["belongs_to_refs"][0]]["number"] == 64511
                            for o in annotated))
    c = subprocess.run([sys.executable, os.path.join(ROOT, "tests/report/check_stix.py"), rs],
                       capture_output=True, text=True)
    check("geo: the annotated STIX bundle passes check_stix.py", c.returncode == 0,
          (c.stdout + c.stderr)[-300:])
    # asn: and country: patterns with an mmdb as the model's prefix table
    model = os.path.join(work, "mmdb-model.yaml")
    shutil.copy(asn, os.path.join(work, "prefixes-asn.mmdb"))
    open(model, "w").write(
        "format: attrib-model-1\nname: mmdb-test\nsource: test\n"
        "prefixes: prefixes-asn.mmdb\nhypotheses:\n  - id: doc-net\n"
        "    indicators:\n      - id: in-as\n        match: {kind: ip.dst, asn: 64511}\n"
        "        link: L1\n        reliability: C\n")
    p = run(["score", "--db", lab, "--models", model, "--json"], want_rc=None)
    ok_ = p.returncode == 0
    doc = json.loads(p.stdout) if ok_ else {}
    ev = [e for h in doc.get("hypotheses", []) if h["id"] == "doc-net"
          for e in h["evidence"] if e["id"] == "in-as"]
    files = {m.get("format") for m in doc.get("models", [])}
    check("geo: asn: patterns with an mmdb as the prefix table match, the mmdb "
          "recorded with the models", ok_ and ev and ev[0]["matches"] > 0 and "mmdb" in files,
          (p.stderr or str(files))[:300])
    p = run(["flows", "--db", db, "--asn", os.path.join(work, "case.misp.json")], want_rc=2)
    check("geo: a file that is no MaxMind DB is an input error", "not a MaxMind DB" in p.stderr,
          p.stderr)


EXTRA.append(test_geo)


COMMANDS = ["ingest", "capture", "verify", "indicators", "flows", "match", "score",
            "report", "analyze", "merge", "summary"]


def test_cli(work, db, flows):
    """Help, -V, suggestions, the manual page, completion, make install."""
    p = run(["help"])
    check("cli: attrib help lists every command",
          all(f"attrib {c}" in p.stdout for c in COMMANDS), p.stdout[-300:])
    helps = {c: run(["help", c]).stdout for c in COMMANDS}
    check("cli: attrib help CMD prints each command's usage",
          all(h.startswith(f"usage: attrib {c}") for c, h in helps.items()),
          str({c: h[:40] for c, h in helps.items()}))
    p = run(["-V"])
    check("cli: -V prints the version", p.stdout.startswith("attrib "))
    p = run(["flow", "--db", db], want_rc=2)
    check("cli: a mistyped command gets a suggestion", "did you mean 'flows'?" in p.stderr,
          p.stderr)
    p = run(["indicatros"], want_rc=2)
    check("cli: a swapped letter is suggested too", "did you mean 'indicators'?" in p.stderr,
          p.stderr)
    p = run(["xyzzy"], want_rc=2)
    check("cli: nothing near: no suggestion", "did you mean" not in p.stderr, p.stderr)
    p = run(["help", "flow"], want_rc=2)
    check("cli: attrib help with a mistyped command suggests", "did you mean 'flows'?" in p.stderr)
    man = subprocess.run(["man", "-l", os.path.join(ROOT, "docs/attrib.1")],
                         capture_output=True, text=True,
                         env=dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING="0"))
    text = re.sub(".\x08", "", man.stdout)  # overstrike bold and underline
    check("cli: man -l docs/attrib.1 renders every command and exit code",
          man.returncode == 0 and all(f"attrib {c}" in text for c in COMMANDS) and
          "EXIT STATUS" in text and
          all(re.search(rf"\n       {n}\s+\S", text) for n in "0123"),
          man.stderr[:200])
    comp = os.path.join(ROOT, "docs/attrib.bash-completion")
    def complete(*words):
        w = " ".join(f"'{x}'" for x in words)
        out = subprocess.run(["bash", "-c", f"source '{comp}'; COMP_WORDS=({w}); "
                              f"COMP_CWORD={len(words) - 1}; _attrib; "
                              'printf "%s\\n" "${COMPREPLY[@]}"'],
                             capture_output=True, text=True)
        return out.stdout.split()
    check("cli: completion of commands", complete("attrib", "fl") == ["flows"] and
          set(complete("attrib", "")) >= set(COMMANDS))
    check("cli: completion of kinds, formats and options",
          complete("attrib", "indicators", "--kind", "tls.ja") == ["tls.ja3", "tls.ja3s", "tls.ja4"]
          and complete("attrib", "report", "--format", "m") == ["md", "misp"]
          and "--community-id" in complete("attrib", "flows", "--c"))
    dest = os.path.join(work, "dest")
    p = subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/usr",
                        f"ATTRIB={ATTRIB}"], capture_output=True, text=True)
    want = ["usr/bin/attrib", "usr/share/man/man1/attrib.1",
            "usr/share/bash-completion/completions/attrib",
            "usr/share/attrib/models/lab/actors.yaml",
            "usr/share/attrib/models/stix/lab-intel.json",
            "usr/share/doc/attrib/json-output.md"]
    missing = [w for w in want if not os.path.exists(os.path.join(dest, w))]
    check("cli: make install puts program, manual, completion, models and docs",
          p.returncode == 0 and not missing, (p.stderr + str(missing))[:300])
    p = run(["score", "--db", os.path.join(work, "lab.db"), "--models",
             os.path.join(dest, "usr/share/attrib/models")], want_rc=None)
    check("cli: --models DIR reads the model files in its subfolders",
          p.returncode == 0, p.stderr[:300])


EXTRA.append(test_cli)

if __name__ == "__main__":
    sys.exit(main())
