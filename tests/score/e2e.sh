#!/bin/sh
# End-to-end scoring: ingest a lab capture (a slow implant with a reused
# certificate, a distinctive user agent, DNS lookups and working hours at
# UTC-5), score it with the models in tests/score/models, and check that
# each scores as the attribution argument says it must:
#   cheap-only         no link above 0.5, no standard met, state chain 0
#   strong-telemetry   L1/L2 well supported, L3/L4 empty: state chain 0
#   false-flag         FALSE_FLAG raised, A stays low, false-flag believed
#   false-flag-defaults the same for a user agent, JA3 and working hours
#                      at the kinds' default ratings
#   claims-every-link  every link supported; the chain erodes below each
#   conflict           two reputable sources disagree: CONFLICT with its
#                      degree and both sources, neither side wins
# plus: the same model with its entries reversed gives bit-identical
# numbers, a malformed model is refused with file:line:col, and the case
# verifies intact (attrib verify and the independent Python verifier).
#   usage: tests/score/e2e.sh ATTRIB
set -eu
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
models=$root/tests/score/models
pcap=$root/pcaps/lab/beacon-3600s-jitter.pcap

"$bin" ingest --db "$tmp/case.db" "$pcap" > "$tmp/ingest.log" 2>&1
for m in cheap-only strong-telemetry false-flag false-flag-defaults \
	claims-every-link conflict; do
	"$bin" score --db "$tmp/case.db" --models "$models/$m.yaml" --json \
		> "$tmp/$m.json" 2> "$tmp/$m.err"
done
# A STIX 2.1 bundle as the model (models/stix/lab-intel.json).
"$bin" score --db "$tmp/case.db" --models "$root/models/stix/lab-intel.json" \
	--json > "$tmp/stix.json" 2> "$tmp/stix.err"
# The same model, entries in reverse order (hypotheses and items).
python3 - "$models/claims-every-link.yaml" "$tmp/reversed.yaml" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
i = lines.index("hypotheses:")
out, hyps = lines[:i + 1], []
for l in lines[i + 1:]:
    if l.startswith("  - id:"):
        hyps.append({"head": [l], "sections": []})
    elif l.startswith("    ") and not l.startswith("      ") and l.endswith(":"):
        hyps[-1]["sections"].append([l])
    elif hyps[-1]["sections"]:
        hyps[-1]["sections"][-1].append(l)
    else:
        hyps[-1]["head"].append(l)
for h in reversed(hyps):
    out += h["head"]
    for sec in reversed(h["sections"]):
        out += [sec[0]] + list(reversed(sec[1:]))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
"$bin" score --db "$tmp/case.db" --models "$tmp/reversed.yaml" --json \
	> "$tmp/reversed.json" 2>/dev/null

# A malformed model: refused, exit 2, file:line:col named.
printf 'format: attrib-model-1\nname: bad\nhypotheses:\n  - id: a\n    indicators:\n      - id: x\n        match: {kind: tls.sni, value: a.example}\n        link: L9\n        reliability: A\n' > "$tmp/bad.yaml"
set +e
"$bin" score --db "$tmp/case.db" --models "$tmp/bad.yaml" > /dev/null 2> "$tmp/bad.err"
bad_rc=$?
"$bin" verify --db "$tmp/case.db" > "$tmp/verify.log" 2>&1
verify_rc=$?
python3 "$root/tests/oracle/chain_verify.py" "$tmp/case.db" > "$tmp/pyverify.log" 2>&1
py_rc=$?
set -e

python3 - "$tmp" "$bad_rc" "$verify_rc" "$py_rc" <<'PY'
import json, sys
tmp, bad_rc, verify_rc, py_rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fails, passes = [], 0
def check(cond, what):
    global passes
    if cond: passes += 1
    else: fails.append(what)
def load(name):
    return json.load(open("%s/%s.json" % (tmp, name)))
def hyp(doc, hid):
    return next(h for h in doc["hypotheses"] if h["id"] == hid)
LINKS = ["L1", "L2", "L3", "L3i", "L4"]

d = load("cheap-only"); a = hyp(d, "actor-a")
check(len(a["evidence"]) == 5, "cheap-only: all five cheap patterns matched (%d)" % len(a["evidence"]))
check(all(e["class"] == "cheap" for e in a["evidence"]), "cheap-only: every item in the cheap class")
check(all(a["links"][l]["belief"] <= 0.5 for l in LINKS), "cheap-only: a link above 0.5: %s" % [a["links"][l]["belief"] for l in LINKS])
check(not any(s["met"] for s in a["standards"]), "cheap-only: a standard met")
check(a["chain"]["joint"]["belief"] == 0, "cheap-only: state chain belief %g" % a["chain"]["joint"]["belief"])

d = load("strong-telemetry"); a = hyp(d, "actor-a")
check(a["links"]["L1"]["belief"] > 0.4 and a["links"]["L2"]["belief"] > 0.6, "strong: L1 %.3f, L2 %.3f" % (a["links"]["L1"]["belief"], a["links"]["L2"]["belief"]))
check(a["links"]["L2"]["costly"]["sources"] == 2, "strong: two independent sources on L2")
check(a["links"]["L4"]["uncertainty"] == 1 and a["links"]["L3"]["uncertainty"] == 1, "strong: L3/L4 have evidence")
check(a["chain"]["joint"]["belief"] == 0, "strong: state chain belief %g, expected 0 (no L4 evidence)" % a["chain"]["joint"]["belief"])
check(all(not s["met"] and s["reachable"] for s in a["standards"]), "strong: standards should be unmet but reachable")
need = a["standards"][0]["needs"]
check(any(n["link"] == "L4" and not n["possible"] for n in need), "strong: L4 alone cannot close the gap (L3 empty)")

d = load("false-flag"); a = hyp(d, "actor-a"); b = hyp(d, "actor-b"); ff = hyp(d, "false-flag")
check(any(f["flag"] == "FALSE_FLAG" and f["link"] == "L2" for f in a["flags"]), "false-flag: FALSE_FLAG on actor-a L2: %s" % a["flags"])
check(a["links"]["L2"]["belief"] < 0.2, "false-flag: actor-a L2 belief %.3f" % a["links"]["L2"]["belief"])
check(b["links"]["L2"]["belief"] > a["links"]["L2"]["belief"], "false-flag: actor-b above actor-a on L2")
check(ff["links"]["L2"]["belief"] > 0.2, "false-flag: false-flag hypothesis belief %.3f" % ff["links"]["L2"]["belief"])

d = load("false-flag-defaults"); a = hyp(d, "actor-a"); b = hyp(d, "actor-b"); ff = hyp(d, "false-flag")
check(len([e for e in a["evidence"] if e["class"] == "cheap"]) >= 2, "false-flag defaults: planted clues matched: %s" % [e["id"] for e in a["evidence"]])
check(any(f["flag"] == "FALSE_FLAG" and f["link"] == "L2" for f in a["flags"]), "false-flag defaults: FALSE_FLAG on actor-a L2 at default ratings: %s" % a["flags"])
check(ff["links"]["L2"]["belief"] > 0, "false-flag defaults: the false-flag hypothesis gains belief (%.3f)" % ff["links"]["L2"]["belief"])
check(b["links"]["L2"]["belief"] > a["links"]["L2"]["belief"], "false-flag defaults: B above A on L2")

d = load("claims-every-link"); a = hyp(d, "actor-a")
bels = [a["links"][l]["belief"] for l in ("L1", "L2", "L3", "L4")]
check(all(x > 0.3 for x in bels), "claims: every state link supported: %s" % bels)
joint = a["chain"]["joint"]["belief"]
check(0 < joint < min(bels), "claims: chain erodes: joint %.3f vs links %s" % (joint, bels))
check(abs(joint - bels[0]*bels[1]*bels[2]*bels[3]) < 1e-12, "claims: joint = product")
check(a["chain"]["weakest"]["belief"] == min(bels), "claims: weakest link reading")
print("e2e: claims-every-link links %s -> joint %.3f" % (["%.3f" % x for x in bels], joint))

d = load("conflict"); a = hyp(d, "actor-a")
l3 = a["links"]["L3"]
check("CONFLICT" in l3["flags"], "conflict: CONFLICT on L3: %s" % l3["flags"])
# the conflict is measured and named, not turned into a switch: neither
# side wins, and the phrase says the interval straddles bands
check(l3["conflict"] > 0.1, "conflict: degree measured (%.3f)" % l3["conflict"])
check(any(f["flag"] == "CONFLICT" and "vendor-x" in f["detail"] and "vendor-y" in f["detail"] for f in a["flags"]), "conflict: both sources named: %s" % a["flags"])
check(abs(l3["belief"] - l3["disbelief"]) < 1e-9 and l3["belief"] < 0.5, "conflict: neither side wins (b %.3f, d %.3f)" % (l3["belief"], l3["disbelief"]))
check(l3["phrase"].startswith("between") or l3["phrase"] == "cannot judge", "conflict: phrase of the interval: %s" % l3["phrase"])

d = load("stix")
actors = [h for h in d["hypotheses"] if h["type"] in ("actor", "intrusion-set")]
check(len(actors) >= 2 and any(h["evidence"] for h in actors), "stix: the bundle's actors scored, one with evidence in this capture")
check(all(u["reason"] for u in d["not_evaluated"]) and len(d["not_evaluated"]) >= 1, "stix: unevaluable patterns listed with a reason")
check(d["models"][0]["format"] == "stix", "stix: model format recorded")

r, c = load("reversed"), load("claims-every-link")
def strip(doc):
    return [(h["id"], h["links"], h["chain"]) for h in doc["hypotheses"]]
check(open(tmp + "/reversed.yaml").read().index("id: actor-b") <
      open(tmp + "/reversed.yaml").read().index("id: actor-a"), "order: the model was not reversed")
check(strip(r) == strip(c), "order: reversed model gives different numbers")

bad = open(tmp + "/bad.err").read()
check(bad_rc == 2 and "bad.yaml:8:15: link: expected one of" in bad, "bad model: rc %d, %r" % (bad_rc, bad))
check(verify_rc == 0, "verify after scoring: rc %d" % verify_rc)
check(py_rc == 0, "independent verifier after scoring: rc %d" % py_rc)
for f in fails:
    print("e2e: FAIL " + f)
print("score e2e: %d passed, %d failed" % (passes, len(fails)))
sys.exit(1 if fails else 0)
PY
