#!/usr/bin/env python3
"""Structural check of a MISP event as attrib writes it (report --format
misp), reading it back field by field:

    python3 tests/intel/check_misp.py EVENT.json [CASE.db]

The event: Event.uuid a UUID, info, date YYYY-MM-DD, timestamp digits,
published false, analysis/threat_level_id/distribution MISP's codes,
Attribute a list. Each attribute: a unique UUID, a MISP type with a
category MISP allows for it, a non-empty value, to_ids a boolean,
distribution "0"-"5", first_seen <= last_seen, tags well-formed machine
tags whose admiralty-scale and estimative-language predicates and values
are those of MISP's taxonomies; every network attribute cites at least
one packet ("frame N of sha256 H"), and, with CASE.db, each cited packet
is an observation of the case with that value. Exit 0 ok, 1 with the
first problems listed.
"""
import json
import re
import sqlite3
import sys

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# MISP attribute types attrib writes and the categories MISP allows them in
TYPES = {
    "ip-src": {"Network activity", "Payload delivery", "External analysis"},
    "ip-dst": {"Network activity", "Payload delivery", "External analysis"},
    "domain": {"Network activity", "External analysis"},
    "hostname": {"Network activity", "External analysis"},
    "url": {"Network activity", "Payload delivery", "External analysis"},
    "user-agent": {"Network activity", "Payload delivery"},
    "ja3-fingerprint-md5": {"Network activity", "Payload delivery"},
    "hassh-md5": {"Network activity"},
    "x509-fingerprint-sha1": {"Network activity", "Payload delivery"},
    "threat-actor": {"Attribution"},
    "text": {"Other", "Network activity", "Attribution"},
}
TAXONOMIES = {
    "admiralty-scale:source-reliability": set("abcdef"),
    "admiralty-scale:information-credibility": set("123456"),
    "estimative-language:likelihood-probability": {
        "almost-no-chance", "very-unlikely", "unlikely", "roughly-even-chance",
        "likely", "very-likely", "almost-certain"},
    "estimative-language:confidence-in-analytic-judgment": {"low", "moderate", "high"},
}
TAG = re.compile(r'^([a-z0-9-]+):([a-z0-9_.-]+)="([^"]*)"$')
CITE = re.compile(r"observation (\d+): frame (\d+) of sha256 ([0-9a-f]{64})")


def check(ev, db=None):
    problems = []
    e = ev.get("Event")
    if not isinstance(e, dict):
        return ["no Event object"]
    if not UUID.match(str(e.get("uuid", ""))):
        problems.append("Event.uuid is not a UUID")
    if not isinstance(e.get("info"), str) or not e["info"]:
        problems.append("Event.info missing")
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(e.get("date", ""))):
        problems.append("Event.date is not YYYY-MM-DD")
    if not str(e.get("timestamp", "")).isdigit():
        problems.append("Event.timestamp is not digits")
    if e.get("published") is not False:
        problems.append("Event.published is not false")
    for k, ok in (("analysis", "012"), ("threat_level_id", "1234"),
                  ("distribution", "012345")):
        if str(e.get(k, "")) not in ok:
            problems.append(f"Event.{k} not one of MISP's codes")
    attrs = e.get("Attribute")
    if not isinstance(attrs, list) or not attrs:
        return problems + ["Event.Attribute missing or empty"]
    con = sqlite3.connect(db) if db else None
    seen = set()
    for i, a in enumerate(attrs):
        where = f"Attribute[{i}]"
        u = a.get("uuid", "")
        if not UUID.match(str(u)) or u in seen:
            problems.append(f"{where}: uuid missing, malformed or repeated")
        seen.add(u)
        t, cat = a.get("type"), a.get("category")
        if t not in TYPES:
            problems.append(f"{where}: type {t!r} not one attrib writes")
        elif cat not in TYPES[t]:
            problems.append(f"{where}: category {cat!r} not allowed for {t}")
        if not isinstance(a.get("value"), str) or not a["value"]:
            problems.append(f"{where}: empty value")
        if not isinstance(a.get("to_ids"), bool):
            problems.append(f"{where}: to_ids not a boolean")
        if str(a.get("distribution", "")) not in "012345":
            problems.append(f"{where}: distribution not a MISP code")
        fs, ls = a.get("first_seen"), a.get("last_seen")
        if fs and ls and fs > ls:
            problems.append(f"{where}: first_seen after last_seen")
        for tag in a.get("Tag", []):
            m = TAG.match(tag.get("name", ""))
            if not m:
                problems.append(f"{where}: tag {tag!r} is no machine tag")
                continue
            pred = f"{m.group(1)}:{m.group(2)}"
            if m.group(1) in ("admiralty-scale", "estimative-language") and \
                    m.group(3) not in TAXONOMIES.get(pred, ()):
                problems.append(f"{where}: {pred}={m.group(3)!r} not in the taxonomy")
        if cat == "Network activity":
            cites = CITE.findall(a.get("comment", ""))
            if not cites:
                problems.append(f"{where}: no citation in the comment")
            for obs, frame, sha in cites[:5] if con else []:
                row = con.execute(
                    "SELECT o.value FROM observations o JOIN sources s ON "
                    "s.id=o.source_id WHERE o.id=? AND o.frame=? AND s.sha256=?",
                    (int(obs), int(frame), sha)).fetchone()
                if not row or row[0] != a["value"]:
                    problems.append(f"{where}: citation {obs}/{frame} is not "
                                    f"an observation of {a['value']!r}")
    return problems


def main():
    if len(sys.argv) < 2:
        print("usage: check_misp.py EVENT.json [CASE.db]", file=sys.stderr)
        return 2
    ev = json.load(open(sys.argv[1]))
    problems = check(ev, sys.argv[2] if len(sys.argv) > 2 else None)
    if problems:
        print("check_misp: " + "; ".join(problems[:10]))
        return 1
    n = len(ev["Event"]["Attribute"])
    print(f"check_misp: {sys.argv[1]}: {n} attributes, structure ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
