#!/usr/bin/env python3
"""check_stix.py -- structural checks of a STIX 2.1 bundle from attrib.

    check_stix.py BUNDLE.json [--expect-actors N]   exit 0 ok, 1 not, 2 error

Standard library only. Checks what STIX 2.1 (OASIS, 2021) requires of the
objects attrib writes: the bundle's form; every object's type name, id
(type--UUID, RFC 4122 variant) and spec_version; unique ids; created and
modified timestamps of domain and relationship objects; the required
properties of identity, campaign, threat-actor, intrusion-set, indicator,
observed-data, relationship and note; that every *_ref and *_refs points
at an object in the bundle, of a type the property allows; relationship
endpoints allowed for attributed-to, indicates and based-on; confidence
an integer in 0..100; indicator patterns in STIX pattern syntax (for the
comparison forms attrib writes); cyber-observable ids recomputed as
version-5 UUIDs from their id-contributing properties. And attrib's own
promises: every attributed-to relationship carries a confidence, and a
note refers to each of them.
"""
import json
import re
import sys
import uuid

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
STIX_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
SCO = {"ipv4-addr", "ipv6-addr", "domain-name", "url", "x509-certificate",
       "network-traffic", "autonomous-system"}
REQUIRED = {
    "identity": ["name"],
    "campaign": ["name"],
    "threat-actor": ["name"],
    "intrusion-set": ["name"],
    "indicator": ["pattern", "pattern_type", "valid_from"],
    "observed-data": ["first_observed", "last_observed", "number_observed",
                      "object_refs"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
    "note": ["content", "object_refs"],
    "extension-definition": ["name", "schema", "version", "extension_types",
                             "created_by_ref"],
}
ENDPOINTS = {
    "attributed-to": ({"campaign", "intrusion-set", "threat-actor"},
                      {"threat-actor", "intrusion-set", "identity"}),
    "indicates": ({"indicator"}, {"threat-actor", "intrusion-set",
                                  "campaign", "attack-pattern", "malware",
                                  "infrastructure", "tool"}),
    "based-on": ({"indicator"}, {"observed-data"}),
}
# one comparison: object-path = 'literal' (\' and \\ escaped), joined by AND
LITERAL = r"'(?:[^'\\]|\\['\\])*'"
PATH = r"[a-z0-9-]+:[a-zA-Z0-9_]+(?:\.(?:[a-zA-Z0-9_]+|'[^']+'))*"
COMPARISON = r"%s\s*=\s*%s" % (PATH, LITERAL)
PATTERN = re.compile(r"^\[%s(?:\s+AND\s+%s)*\]$" % (COMPARISON, COMPARISON))


def sco_id(obj):
    t = obj["type"]
    if t == "x509-certificate":
        props = {"hashes": obj["hashes"]} if "hashes" in obj else {}
    elif t == "autonomous-system":
        props = {"number": obj["number"]}
    elif t == "network-traffic":
        props = {k: obj[k] for k in ("protocols", "extensions") if k in obj}
    elif t in SCO:
        props = {"value": obj["value"]}
    elif t == "x-attrib-fingerprint":
        props = {k: obj[k] for k in ("ja3", "ja3s", "ja4", "hassh") if k in obj}
    else:
        props = {k: obj[k] for k in ("kind", "value") if k in obj}
    canon = json.dumps(props, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False)
    return "%s--%s" % (t, uuid.uuid5(STIX_NS, canon))


def check(bundle, expect_actors):
    errs = []
    if bundle.get("type") != "bundle":
        errs.append("bundle: type is not 'bundle'")
    if not re.match(r"^bundle--%s$" % UUID, str(bundle.get("id", ""))):
        errs.append("bundle: bad id %r" % bundle.get("id"))
    if "spec_version" in bundle:
        errs.append("bundle: STIX 2.1 bundles have no spec_version")
    objs = bundle.get("objects")
    if not isinstance(objs, list) or not objs:
        return errs + ["bundle: no objects"]
    by_id = {}
    for o in objs:
        oid = o.get("id", "")
        t = o.get("type", "")
        where = oid or "(object without id)"
        if not TYPE.match(t):
            errs.append("%s: bad type %r" % (where, t))
        if not re.match(r"^%s--%s$" % (re.escape(t), UUID), oid):
            errs.append("%s: id is not %s--UUID" % (where, t))
        if oid in by_id:
            errs.append("%s: duplicate id" % where)
        by_id[oid] = o
        if o.get("spec_version") != "2.1":
            errs.append("%s: spec_version is not 2.1" % where)
        for k in REQUIRED.get(t, []):
            if k not in o or o[k] in ("", [], None):
                errs.append("%s: missing required %s" % (where, k))
        is_sco = t in SCO or t.startswith("x-")
        if not is_sco:
            for k in ("created", "modified"):
                if not TS.match(str(o.get(k, ""))):
                    errs.append("%s: bad %s %r" % (where, k, o.get(k)))
            if str(o.get("modified", "")) < str(o.get("created", "")):
                errs.append("%s: modified before created" % where)
        elif o.get("id") != sco_id(o):
            errs.append("%s: not the UUIDv5 of its id-contributing "
                        "properties (%s)" % (where, sco_id(o)))
        if "confidence" in o and (not isinstance(o["confidence"], int) or
                                  isinstance(o["confidence"], bool) or
                                  not 0 <= o["confidence"] <= 100):
            errs.append("%s: confidence %r" % (where, o["confidence"]))
        if t == "indicator" and not PATTERN.match(o.get("pattern", "")):
            errs.append("%s: pattern %r" % (where, o.get("pattern")))
        if t == "indicator" and o.get("pattern_type") != "stix":
            errs.append("%s: pattern_type %r" % (where, o.get("pattern_type")))
        if t == "observed-data":
            n = o.get("number_observed")
            if not isinstance(n, int) or not 1 <= n <= 999999999:
                errs.append("%s: number_observed %r" % (where, n))
            if str(o.get("last_observed")) < str(o.get("first_observed")):
                errs.append("%s: last_observed before first" % where)
    for o in objs:
        where = o.get("id", "?")
        for k, v in o.items():
            refs = v if k.endswith("_refs") else [v] if k.endswith("_ref") else []
            if k.endswith("_refs") and (not isinstance(v, list) or not v):
                errs.append("%s: %s is not a non-empty list" % (where, k))
                continue
            for r in refs:
                if r not in by_id:
                    errs.append("%s: %s %r is not in the bundle" % (where, k, r))
                elif k == "created_by_ref" and by_id[r]["type"] != "identity":
                    errs.append("%s: created_by_ref is not an identity" % where)
                elif (o["type"] == "observed-data" and k == "object_refs" and
                      not (by_id[r]["type"] in SCO or
                           by_id[r]["type"].startswith("x-"))):
                    errs.append("%s: object_refs %r is not an observable"
                                % (where, r))
        if o.get("type") == "relationship":
            rt = o.get("relationship_type")
            src, dst = by_id.get(o.get("source_ref")), by_id.get(o.get("target_ref"))
            if rt in ENDPOINTS and src and dst:
                ok_src, ok_dst = ENDPOINTS[rt]
                if src["type"] not in ok_src or dst["type"] not in ok_dst:
                    errs.append("%s: %s from %s to %s is not allowed"
                                % (where, rt, src["type"], dst["type"]))
    attributed = [o for o in objs if o.get("type") == "relationship" and
                  o.get("relationship_type") == "attributed-to"]
    noted = {r for o in objs if o.get("type") == "note"
             for r in o.get("object_refs", [])}
    for r in attributed:
        if "confidence" not in r:
            errs.append("%s: attributed-to without confidence" % r["id"])
        if r["id"] not in noted:
            errs.append("%s: no note refers to it" % r["id"])
    if not any(o.get("type") == "note" for o in objs):
        errs.append("bundle: no note with the uncertainty and the legal gap")
    actors = [o for o in objs if o.get("type") in ("threat-actor", "intrusion-set")]
    if expect_actors is not None and len(actors) != expect_actors:
        errs.append("bundle: %d actors, expected %d" % (len(actors), expect_actors))
    if expect_actors is not None and len(attributed) != expect_actors:
        errs.append("bundle: %d attributed-to, expected %d"
                    % (len(attributed), expect_actors))
    return errs


def main():
    args = sys.argv[1:]
    expect = None
    if "--expect-actors" in args:
        i = args.index("--expect-actors")
        expect = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        print("usage: check_stix.py BUNDLE.json [--expect-actors N]",
              file=sys.stderr)
        return 2
    try:
        with open(args[0]) as f:
            bundle = json.load(f)
    except (OSError, ValueError) as e:
        print("check_stix: %s" % e, file=sys.stderr)
        return 2
    errs = check(bundle, expect)
    for e in errs[:30]:
        print("check_stix: %s: %s" % (args[0], e))
    if not errs:
        print("check_stix: %s: %d objects, structure ok"
              % (args[0], len(bundle["objects"])))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
