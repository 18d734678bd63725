#!/usr/bin/env python3
"""calibrate.py -- how well attrib's stated belief matches the truth.

  tests/calibration/calibrate.py [--n 200] [--jobs 2] [--first 1]
      [--attrib build/attrib] [--gen build/gen/scenario]
      [--base-rate A] [--brief] [--write-doc docs/calibration.md
      [--marker figures]] [--keep DIR] [--smoke]

Draws N scenarios of the lab world (world.py: seeds FIRST..FIRST+N-1),
generates each capture with the scenario generator, ingests it into a
fresh case, scores it with models/lab/actors.yaml (plus the scenario's
claims, when it has any) and compares, for actors A and B and every link,
the score's opinion with the 0/1 truth the generator wrote:

- Brier score of the expectation P = b + a*u, and of Bel = b;
- coverage: how often the truth lies inside [Bel, Pl];
- gross misses: Bel > 0.5 on a link that does not hold, or Pl < 0.5 on
  one that does (the interval on the wrong side of preponderance);
- sharpness: mean width Pl - Bel;

per link, over all links, and for the state chain (joint Bel, Pl against
"every link L1-L4 holds"); then the same split by planted share, by
claims, and by role (true actor or not), and a reliability table of P.
Prints the tables (Markdown); --write-doc puts them between the
<!-- BEGIN figures --> and <!-- END figures --> markers (--marker) of
docs/calibration.md. --base-rate scores with a copy of the actors model
whose hypotheses A and B carry that base rate.

--world costly and --world claims are the adversarial worlds of
world.py; "someone else" (unknown) and the false-flag hypothesis are
scored against their truth too.

--smoke checks what must hold for any scenario (every link present,
b + d + u = 1, Bel <= P <= Pl, no belief above 0.5 from cheap evidence
alone, no state-chain belief without a claim on L4) and exits 1 when one
does not; make test runs it on a few scenarios.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ACTORS_MODEL = "models/lab/actors.yaml"
EPS = 1e-9


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, cwd=ROOT, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                r.stderr.strip()[-400:]))
    return r.stdout


def read_truth(path):
    kv = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or "=" not in line:
                continue
            k, v = line.rstrip("\n").split("=", 1)
            kv[k] = v
    holds = {}
    for h in kv.get("hypotheses", "").split(","):
        if h:
            holds[h] = {l: int(kv["holds.%s.%s" % (h, l)])
                        for l in world.LINKS}
    return kv, holds


def one(seed, args, work):
    """Generates, ingests and scores scenario `seed`; returns its rows."""
    p = world.draw(seed, args.world)
    d = os.path.join(work, "s%05d" % seed)
    os.makedirs(d, exist_ok=True)
    models = [args.actors_model]
    claims = world.claims_yaml(p)
    if claims:
        with open(os.path.join(d, "claims.yaml"), "w") as f:
            f.write(claims)
        models.append(os.path.join(d, "claims.yaml"))
    scn = os.path.join(d, "cal-%05d.scn" % seed)
    with open(scn, "w") as f:
        f.write(world.scenario_text(p, [ACTORS_MODEL] +
                                    (["calibration/claims.yaml"]
                                     if claims else [])))
    pcap, truth, db = (os.path.join(d, x) for x in
                       ("cap.pcap", "cap.truth", "case.db"))
    run([args.gen, "-o", pcap, "-t", truth, scn])
    run([args.attrib, "ingest", "--db", db, pcap])
    doc = json.loads(run([args.attrib, "score", "--db", db, "--models"] +
                         models + ["--json"]))
    _, holds = read_truth(truth)
    rows = []
    hyps = {h["id"]: h for h in doc["hypotheses"]}
    l4_claim = {h: any(c["hypothesis"] == h and c["link"] == "L4"
                       for c in p["claim_list"]) for h in world.NAMED}
    for h, truth_links in sorted(holds.items()):
        if h not in hyps:
            raise RuntimeError("seed %d: no hypothesis %s in the score"
                               % (seed, h))
        hyp = hyps[h]
        role = "true actor" if p["actor"] == h else (
            "decoy" if p["decoy"] == h and
            p["planted_share"] > 0 else "other")
        base = {"seed": seed, "hypothesis": h, "role": role,
                "planted": p["planted_share"],
                "claims": bool(claims), "l4_claim": l4_claim[h],
                "flags": sorted({f["flag"] for f in hyp.get("flags", [])})}
        for link in world.LINKS:
            o = hyp["links"][link]
            rows.append(dict(base, link=link, truth=truth_links[link],
                             b=o["belief"], d=o["disbelief"],
                             u=o["uncertainty"], pl=o["plausibility"],
                             p=o["expectation"],
                             costly_items=o["costly"]["items"]))
        ch = hyp["chain"]["joint"]
        t = int(all(truth_links[l] for l in ("L1", "L2", "L3", "L4")))
        rows.append(dict(base, link="state chain", truth=t,
                         b=ch["belief"], d=1 - ch["plausibility"],
                         u=ch["plausibility"] - ch["belief"],
                         pl=ch["plausibility"],
                         p=None))
    used = ["profile", "beacon", "hours", "domain"]
    used += ["ua"] if p["http"] else []
    used += ["hop"] if p["hop_point"] else []
    planted = any(p["slots"][x] == "planted" for x in used) or \
        p.get("costly_planted", False)
    # "someone else" (neither A nor B) and "false flag" (something was
    # planted) are scored like the named hypotheses
    for hid, role in (("unknown", "someone else"), ("false-flag",
                                                     "false flag")):
        if hid not in hyps:
            raise RuntimeError("seed %d: no hypothesis %s" % (seed, hid))
        hyp = hyps[hid]
        if hid == "unknown":
            tl, tchain = world.truth_someone_else(p)
        else:
            tl = {l: int(planted) for l in world.LINKS}
            tchain = None
        base = {"seed": seed, "hypothesis": hid, "role": role,
                "planted": p["planted_share"], "claims": bool(claims),
                "l4_claim": True,   # its chain is read from the named ones
                "flags": []}
        for link in (world.LINKS if hid == "unknown" else ("L1", "L2")):
            o = hyp["links"][link]
            rows.append(dict(base, link=link, truth=tl[link],
                             b=o["belief"], d=o["disbelief"],
                             u=o["uncertainty"], pl=o["plausibility"],
                             p=o["expectation"],
                             costly_items=o["costly"]["items"]))
        if tchain is not None:
            ch = hyp["chain"]["joint"]
            rows.append(dict(base, link="state chain", truth=tchain,
                             b=ch["belief"], d=1 - ch["plausibility"],
                             u=ch["plausibility"] - ch["belief"],
                             pl=ch["plausibility"], p=None))
    ff = hyps.get("false-flag")
    scen = {
        "seed": seed,
        "planted": any(p["slots"][x] == "planted" for x in used),
        "known_costly": p["actor"] in world.NAMED and
        (p["cert_reuse"] or p["server_reuse"]),
        "flagged_decoy": any(f["flag"] == "FALSE_FLAG"
                             for f in hyps[p["decoy"]]["flags"]),
        "flagged_actor": p["actor"] in world.NAMED and any(
            f["flag"] == "FALSE_FLAG" for f in hyps[p["actor"]]["flags"]),
        "ff_belief": max(o["belief"] for o in ff["links"].values())
        if ff else 0.0,
    }
    if not args.keep:
        shutil.rmtree(d, ignore_errors=True)
    return rows, scen


# ---- metrics ----

def metrics(rows):
    n = len(rows)
    if n == 0:
        return None
    with_p = [r for r in rows if r["p"] is not None]
    m = {
        "n": n,
        "truth": sum(r["truth"] for r in rows) / n,
        "brier_p": (sum((r["p"] - r["truth"]) ** 2 for r in with_p) /
                    len(with_p)) if with_p else None,
        "brier_bel": sum((r["b"] - r["truth"]) ** 2 for r in rows) / n,
        "coverage": sum(1 for r in rows
                        if r["b"] - EPS <= r["truth"] <= r["pl"] + EPS) / n,
        "gross": sum(1 for r in rows
                     if (r["truth"] == 0 and r["b"] > 0.5 + EPS) or
                     (r["truth"] == 1 and r["pl"] < 0.5 - EPS)) / n,
        "width": sum(r["pl"] - r["b"] for r in rows) / n,
        "bel_true": mean([r["b"] for r in rows if r["truth"] == 1]),
        "bel_false": mean([r["b"] for r in rows if r["truth"] == 0]),
        "max_bel_false": max([r["b"] for r in rows if r["truth"] == 0],
                             default=None),
        "min_pl_true": min([r["pl"] for r in rows if r["truth"] == 1],
                           default=None),
    }
    m["no_skill"] = m["truth"] * (1 - m["truth"])
    return m


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def fmt(x, digits=3):
    if x is None:
        return "—"
    return "%.*f" % (digits, x)


def table(title, groups):
    out = ["**%s**" % title, "",
           "| | n | truth=1 | Brier(P) | no-skill Brier | Brier(Bel) "
           "| coverage [Bel, Pl] | gross misses | sharpness Pl−Bel "
           "| mean Bel, truth 1 | mean Bel, truth 0 | max Bel, truth 0 "
           "| min Pl, truth 1 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
           "---:|"]
    for name, rows in groups:
        m = metrics(rows)
        if not m:
            continue
        out.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                   "| %s | %s |" % (
                       name, m["n"], fmt(m["truth"], 2), fmt(m["brier_p"]),
                       fmt(m["no_skill"]), fmt(m["brier_bel"]),
                       fmt(m["coverage"]), fmt(m["gross"]), fmt(m["width"]),
                       fmt(m["bel_true"]), fmt(m["bel_false"]),
                       fmt(m["max_bel_false"]), fmt(m["min_pl_true"])))
    return out + [""]


def reliability(rows):
    rows = [r for r in rows if r["p"] is not None]
    out = ["**Reliability of the expectation P (all links of A and B)**", "",
           "| P in | n | mean P | observed frequency | mean Bel | mean Pl |",
           "|---|---:|---:|---:|---:|---:|"]
    edges = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]
    for lo, hi in zip(edges, edges[1:]):
        b = [r for r in rows if lo <= r["p"] < hi]
        if not b:
            continue
        out.append("| [%.1f, %.1f%s | %d | %.3f | %.3f | %.3f | %.3f |" % (
            lo, min(hi, 1.0), "]" if hi > 1 else ")", len(b),
            mean([r["p"] for r in b]), mean([r["truth"] for r in b]),
            mean([r["b"] for r in b]), mean([r["pl"] for r in b])))
    return out + [""]


def report(rows, scens, n, seconds, args):
    every = rows
    rows = [r for r in every if r["hypothesis"] in world.NAMED]
    links = [r for r in rows if r["link"] != "state chain"]
    out = ["World: %s. Scenarios: %d (seeds %d–%d), %d hypothesis-link "
           "pairs of A and B, base rate %s, run time %.0f s with %d jobs. "
           "Command: `%s`" % (
               args.world, n, args.first, args.first + n - 1, len(links),
               "%g" % args.base_rate if args.base_rate is not None
               else "0.5 (the model's)", seconds, args.jobs,
               args.command), ""]
    groups = [(l, [r for r in rows if r["link"] == l]) for l in world.LINKS]
    groups.append(("all links", links))
    groups.append(("state chain (joint)",
                   [r for r in rows if r["link"] == "state chain"]))
    out += table("Per link (actors A and B)", groups)
    se = [r for r in every if r["hypothesis"] == "unknown"]
    ffr = [r for r in every if r["hypothesis"] == "false-flag"]
    out += table("Someone else (unknown: neither A nor B did it) and false "
                 "flag (something was planted)", [
                     ("someone else, links, actor C did it",
                      [r for r in se if r["link"] != "state chain" and
                       r["truth"] == 1]),
                     ("someone else, links, A or B did it",
                      [r for r in se if r["link"] != "state chain" and
                       r["truth"] == 0]),
                     ("someone else, state chain",
                      [r for r in se if r["link"] == "state chain"]),
                     ("false flag, L1 L2", ffr)])
    if args.brief:
        return "\n".join(out + reliability(links))
    out += table("By role of the hypothesis (all links)", [
        (role, [r for r in links if r["role"] == role])
        for role in ("true actor", "decoy", "other")])
    out += table("By planted share (all links)", [
        ("%g" % s, [r for r in links if r["planted"] == s])
        for s in (0.0, 0.25, 0.5, 0.75, 1.0)])
    out += table("Technical links L1, L2 by planted share", [
        ("%g" % s, [r for r in links if r["planted"] == s and
                    r["link"] in ("L1", "L2")])
        for s in (0.0, 0.25, 0.5, 0.75, 1.0)])
    out += table("With and without non-technical claims (all links)", [
        ("claims", [r for r in links if r["claims"]]),
        ("no claims", [r for r in links if not r["claims"]])])
    out += reliability(links)
    out += false_flags(scens)
    return "\n".join(out)


def false_flags(scens):
    out = ["**False flags: where is FALSE_FLAG raised?** (decoy: the named "
           "actor whose artefacts could be planted; true actor: A or B when "
           "it is the actor, a false alarm)", "",
           "| scenarios | n | on the decoy | on the true actor | mean largest "
           "link belief of the false-flag hypothesis |",
           "|---|---:|---:|---:|---:|"]
    for name, sel in (
            ("cheap artefacts planted; the true actor's costly evidence "
             "known to the model", lambda s: s["planted"] and
             s["known_costly"]),
            ("cheap artefacts planted; no costly evidence known "
             "(fresh server and certificate, or actor C)",
             lambda s: s["planted"] and not s["known_costly"]),
            ("nothing planted", lambda s: not s["planted"])):
        group = [s for s in scens if sel(s)]
        if group:
            out.append("| %s | %d | %.3f | %.3f | %.3f |" % (
                name, len(group),
                mean([1.0 if s["flagged_decoy"] else 0.0 for s in group]),
                mean([1.0 if s["flagged_actor"] else 0.0 for s in group]),
                mean([s["ff_belief"] for s in group])))
    return out + [""]


def smoke_check(rows):
    """What must hold in any scenario; returns a list of failures."""
    bad = []
    for r in rows:
        where = "seed %d %s %s" % (r["seed"], r["hypothesis"], r["link"])
        if r["link"] == "state chain":
            if not r["l4_claim"] and r["b"] > 0:
                bad.append("%s: belief %g without a claim on L4"
                           % (where, r["b"]))
            continue
        if r["costly_items"] == 0 and r["b"] > 0.5 + EPS and \
                r["hypothesis"] != "false-flag":
            bad.append("%s: belief %g from cheap evidence alone"
                       % (where, r["b"]))
        if abs(r["b"] + r["d"] + r["u"] - 1) > 1e-9:
            bad.append("%s: b + d + u != 1" % where)
        if not (r["b"] - EPS <= r["p"] <= r["pl"] + EPS):
            bad.append("%s: P %g outside [Bel %g, Pl %g]"
                       % (where, r["p"], r["b"], r["pl"]))
    return bad


def with_base_rate(work, a):
    """A copy of the actors model in work with base_rate a on A and B."""
    src = os.path.join(ROOT, ACTORS_MODEL)
    dst = os.path.join(work, "actors-base-rate.yaml")
    with open(src) as f:
        text = f.read()
    marker = "    type: actor\n"
    if text.count(marker) != len(world.NAMED):
        raise RuntimeError("%s: cannot place base_rate" % src)
    text = text.replace(marker, marker + "    base_rate: %g\n" % a)
    with open(dst, "w") as f:
        f.write(text)
    shutil.copy(os.path.join(os.path.dirname(src), "lab-prefixes.csv"), work)
    return dst


def write_doc(path, text, marker):
    with open(path) as f:
        doc = f.read()
    begin, end = ("<!-- BEGIN %s -->" % marker, "<!-- END %s -->" % marker)
    i, j = doc.find(begin), doc.find(end)
    if i < 0 or j < i:
        raise RuntimeError("%s: no %s markers" % (path, marker))
    doc = doc[:i + len(begin)] + "\n" + text + "\n" + doc[j:]
    with open(path, "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--attrib", default="build/attrib")
    ap.add_argument("--gen", default="build/gen/scenario")
    ap.add_argument("--write-doc")
    ap.add_argument("--keep", help="keep every scenario's files in KEEP")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--base-rate", type=float,
                    help="score with this base rate for A and B (default: "
                    "the model's, 0.5)")
    ap.add_argument("--marker", default="figures",
                    help="the doc section to replace (BEGIN/END MARKER)")
    ap.add_argument("--world", default="lab", choices=world.WORLDS,
                    help="lab; costly (costly evidence planted); claims "
                    "(sources less accurate than their rating)")
    ap.add_argument("--brief", action="store_true",
                    help="only the per-link table and the reliability table")
    args = ap.parse_args()
    shown, skip = [], False
    for a in sys.argv[1:]:   # the command without where output goes
        if skip:
            skip = False
        elif a in ("--write-doc", "--marker"):
            skip = True
        elif not a.startswith(("--write-doc=", "--marker=")):
            shown.append(a)
    args.command = " ".join(["tests/calibration/calibrate.py"] + shown)
    args.actors_model = os.path.join(ROOT, ACTORS_MODEL)
    args.attrib = os.path.join(ROOT, args.attrib)
    args.gen = os.path.join(ROOT, args.gen)
    work = args.keep or tempfile.mkdtemp(prefix="attrib-calibration-")
    os.makedirs(work, exist_ok=True)
    if args.base_rate is not None:
        args.actors_model = with_base_rate(work, args.base_rate)
    t0 = time.time()
    rows, scens, errors = [], [], []
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = {pool.submit(one, s, args, work): s for s in
                       range(args.first, args.first + args.n)}
            for fut in concurrent.futures.as_completed(futures):
                try:
                    r, sc = fut.result()
                    rows += r
                    scens.append(sc)
                except Exception as e:  # report every failed scenario
                    errors.append("seed %d: %s" % (futures[fut], e))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    seconds = time.time() - t0
    rows.sort(key=lambda r: (r["seed"], r["hypothesis"], r["link"]))
    for e in sorted(errors):
        print("calibrate: %s" % e, file=sys.stderr)
    if args.smoke:
        bad = smoke_check(rows)
        for b in bad:
            print("calibrate: %s" % b, file=sys.stderr)
        ok = not bad and not errors
        print("calibration smoke: %d scenarios, %d checks, %s" % (
            args.n, len(rows), "passed" if ok else "FAILED"))
        return 0 if ok else 1
    text = report(rows, scens, args.n - len(errors), seconds, args)
    print(text)
    if args.write_doc:
        write_doc(os.path.join(ROOT, args.write_doc), text, args.marker)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
