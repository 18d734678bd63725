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
import json
import os
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
    """A case whose flows table predates community_id."""
    db = os.path.join(work, "old.db")
    schema = open(os.path.join(ROOT, "analyze/evidence/schema.sql")).read()
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

if __name__ == "__main__":
    sys.exit(main())
