#!/usr/bin/env python3
"""run.py -- scores the lab attribution scenarios and checks each score
against what the scenario's ground truth says it must show.

  tests/scenarios/run.py [ATTRIB]        (default build/attrib)

For every tests/scenarios/NAME.t: ingests pcaps/lab/NAME.pcap into a
fresh case, scores it with the models the truth file names
(pcaps/gen/scenarios/NAME.truth, `models=`), keeps the score document in
build/scenarios/NAME.json, and evaluates the .t file's lines:

  expect HYP PATH OP VALUE        VALUE: a number, true/false, or
  expect HYP PATH OP HYP2 PATH2   another hypothesis's value
  expect HYP PATH has|lacks TEXT  membership in a list (flags ...)

PATH walks the hypothesis object of the score document (docs/
report-format.md): `links.L2.belief`, `chains.state.joint.belief`,
`flags.*.flag` (`*`: every element of a list or every value of an
object, e.g. `links.*.belief`; a comparison must hold for each,
`has` for one), `links.L3.flags`. OP is one of < <= == >= > !=.

Besides the .t lines, every scenario must pass checks taken from its
truth file and DESIGN.md: every truth hypothesis is scored; no link that
does not hold (holds.H.L=0) has belief above 0.5; on L1 and L2 no other
hypothesis of the truth is believed more than the true actor; and with
no claim on L4 no named hypothesis's state chain has belief above 0;
"someone else"'s chain plausibility is at least 1 - the named joint
beliefs and beliefs over each link's frame sum to at most 1. Prints one line per failure and "scenarios: N passed, M failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
       "==": lambda a, b: a == b, ">=": lambda a, b: a >= b,
       ">": lambda a, b: a > b, "!=": lambda a, b: a != b}
TOL = 1e-9


def walk(obj, path):
    """Values at a dotted path; '*' fans out over a list."""
    values = [obj]
    for part in path.split("."):
        nxt = []
        for v in values:
            if part == "*":
                nxt += list(v.values()) if isinstance(v, dict) else (
                    list(v) if isinstance(v, list) else [])
            elif isinstance(v, list) and part.isdigit():
                nxt += [v[int(part)]] if int(part) < len(v) else []
            elif isinstance(v, dict) and part in v:
                nxt.append(v[part])
        values = nxt
    return values


def literal(text):
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return float(text)


def compare(a, op, b):
    if isinstance(a, (int, float)) and not isinstance(a, bool) and \
            isinstance(b, (int, float)) and not isinstance(b, bool):
        if op == "==":
            return abs(a - b) <= TOL
        if op == "!=":
            return abs(a - b) > TOL
    return OPS[op](a, b)


def check_line(hyps, words):
    """None when the expectation holds, else what was seen."""
    hyp, path, op = words[0], words[1], words[2]
    if hyp not in hyps:
        return "no hypothesis %s" % hyp
    got = walk(hyps[hyp], path)
    if op in ("has", "lacks"):
        flat = []
        for g in got:
            flat += g if isinstance(g, list) else [g]
        inside = words[3] in flat
        if inside != (op == "has"):
            return "%s %s is %s" % (hyp, path, json.dumps(flat))
        return None
    if not got:
        return "%s %s: no such value" % (hyp, path)
    if len(words) == 5:
        if words[3] not in hyps:
            return "no hypothesis %s" % words[3]
        other = walk(hyps[words[3]], words[4])
        if len(other) != 1:
            return "%s %s: not one value" % (words[3], words[4])
        want, shown = other[0], "%s %s = %r" % (words[3], words[4], other[0])
    else:
        want, shown = literal(words[3]), words[3]
    for g in got:
        try:
            ok = compare(g, op, want)
        except TypeError:
            ok = False
        if not ok:
            return "%s %s = %r, not %s %s" % (hyp, path, g, op, shown)
    return None


def read_truth(path):
    kv = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                kv[k] = v
    return kv


def score(attrib, name, work):
    truth = read_truth(os.path.join(ROOT, "pcaps/gen/scenarios",
                                    name + ".truth"))
    db = os.path.join(work, name + ".db")
    models = [os.path.join(ROOT, m) for m in truth["models"].split(",")]
    for cmd in ([attrib, "ingest", "--db", db,
                 os.path.join(ROOT, "pcaps/lab", name + ".pcap")],
                [attrib, "score", "--db", db, "--models"] + models +
                ["--json"]):
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if r.returncode != 0:
            raise RuntimeError("%s exit %d: %s" % (
                cmd[1], r.returncode, r.stderr.strip()[-300:]))
    return truth, json.loads(r.stdout), r.stdout


def general_checks(truth, doc, hyps):
    bad = []
    for h in truth.get("hypotheses", "").split(","):
        if h and h not in hyps:
            bad.append("truth hypothesis %s is not scored" % h)
    # the truth, qualitatively: no link that does not hold reaches
    # preponderance; on the technical links the true actor is believed at
    # least as much as any other named hypothesis
    actor = truth.get("actor", "none")
    for h in truth.get("hypotheses", "").split(","):
        if h not in hyps:
            continue
        for link, o in sorted(hyps[h]["links"].items()):
            if truth.get("holds.%s.%s" % (h, link)) == "0" and \
                    o["belief"] > 0.5:
                bad.append("%s %s does not hold, yet belief %.3f > 0.5"
                           % (h, link, o["belief"]))
            if actor in hyps and h != actor and link in ("L1", "L2") and \
                    o["belief"] > hyps[actor]["links"][link]["belief"]:
                bad.append("%s %s belief %.3f above the true actor's %.3f"
                           % (h, link, o["belief"],
                              hyps[actor]["links"][link]["belief"]))
    claims_on_l4 = any(e.get("item_type") == "claim" and e.get("link") == "L4"
                       for h in doc["hypotheses"]
                       for e in h.get("evidence", []))
    if not claims_on_l4:
        for h in doc["hypotheses"]:
            b = h["chains"]["state"]["joint"]["belief"]
            # "someone else" is believed when every named chain fails,
            # which needs no claim on L4
            if b > 0 and h["type"] != "unknown":
                bad.append("%s: state chain belief %r without a claim on L4"
                           % (h["id"], b))
    # no elimination by silence: someone else's plausibility on each
    # chain is at least 1 - the named hypotheses' joint beliefs; beliefs
    # over each link's frame sum to at most 1
    named = [h for h in doc["hypotheses"]
             if h["type"] in ("actor", "intrusion-set")]
    for h in doc["hypotheses"]:
        if h["type"] != "unknown":
            continue
        for chain in ("state", "organisation", "individual"):
            floor = 1 - sum(n["chains"][chain]["joint"]["belief"]
                            for n in named)
            pl = h["chains"][chain]["joint"]["plausibility"]
            if pl < floor - 1e-9:
                bad.append("unknown: %s chain plausibility %.3f below "
                           "1 - named beliefs %.3f" % (chain, pl, floor))
        for link in h["links"]:
            total = h["links"][link]["belief"] + sum(
                n["links"][link]["belief"] for n in named)
            if total > 1 + 1e-9:
                bad.append("%s: beliefs over the frame sum to %.3f"
                           % (link, total))
    return bad


def main():
    attrib = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else os.path.join(ROOT, "build/attrib"))
    out = os.path.join(ROOT, "build/scenarios")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="attrib-scenarios-")
    passed = failed = 0
    try:
        tdir = os.path.join(ROOT, "tests/scenarios")
        for t in sorted(f for f in os.listdir(tdir) if f.endswith(".t")):
            name = t[:-2]
            problems = []
            try:
                truth, doc, text = score(attrib, name, work)
                with open(os.path.join(out, name + ".json"), "w") as f:
                    f.write(text)
                hyps = {h["id"]: h for h in doc["hypotheses"]}
                problems += general_checks(truth, doc, hyps)
                with open(os.path.join(tdir, t)) as f:
                    for n, line in enumerate(f, 1):
                        words = line.split()
                        if not words or words[0].startswith("#"):
                            continue
                        if words[0] != "expect" or len(words) not in (5, 6):
                            problems.append("%s:%d: cannot read" % (t, n))
                            continue
                        why = check_line(hyps, words[1:])
                        if why:
                            problems.append("%s:%d: %s" % (t, n, why))
            except (RuntimeError, ValueError, KeyError) as e:
                problems.append(str(e))
            for p in problems:
                print("scenarios: %s: %s" % (name, p))
            if problems:
                failed += 1
            else:
                passed += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("scenarios: %d passed, %d failed (score documents in "
          "build/scenarios/)" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
