#!/usr/bin/env python3
"""validate_json.py -- checks a JSON document against a JSON Schema.

    validate_json.py SCHEMA.json DOCUMENT.json   exit 0 valid, 1 not, 2 error

Standard library only. It implements the part of JSON Schema (2020-12)
that docs/report-schema.json uses, and refuses a schema keyword it does
not implement rather than ignoring it: type, enum, const, properties,
required, additionalProperties, items, minItems, maxItems, minimum,
maximum, minLength, pattern, anyOf, allOf, $ref (to #/$defs/...), and the
annotations $schema, $id, $defs, title, description.
"""
import json
import re
import sys

KNOWN = {"type", "enum", "const", "properties", "required",
         "additionalProperties", "items", "minItems", "maxItems", "minimum",
         "maximum", "minLength", "pattern", "anyOf", "allOf", "$ref",
         "$schema", "$id", "$defs", "title", "description"}


def type_ok(v, t):
    if t == "null":
        return v is None
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "string":
        return isinstance(v, str)
    if t == "array":
        return isinstance(v, list)
    if t == "object":
        return isinstance(v, dict)
    raise ValueError("unknown type %r in schema" % t)


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise ValueError("unsupported $ref %r" % ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def check(v, s, root, path, errors):
    unknown = set(s) - KNOWN
    if unknown:
        raise ValueError("%s: schema keywords not implemented: %s"
                         % (path, sorted(unknown)))
    if "$ref" in s:
        check(v, resolve(root, s["$ref"]), root, path, errors)
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in types):
            errors.append("%s: %r is not of type %s" % (path, v, types))
            return
    if "enum" in s and v not in s["enum"]:
        errors.append("%s: %r not one of %s" % (path, v, s["enum"]))
    if "const" in s and v != s["const"]:
        errors.append("%s: %r is not %r" % (path, v, s["const"]))
    if "anyOf" in s:
        if not any(not sub_errors(v, sub, root, path) for sub in s["anyOf"]):
            errors.append("%s: %r matches none of anyOf" % (path, v))
    for sub in s.get("allOf", []):
        check(v, sub, root, path, errors)
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    if number and "minimum" in s and v < s["minimum"]:
        errors.append("%s: %r < %r" % (path, v, s["minimum"]))
    if number and "maximum" in s and v > s["maximum"]:
        errors.append("%s: %r > %r" % (path, v, s["maximum"]))
    if isinstance(v, str):
        if "minLength" in s and len(v) < s["minLength"]:
            errors.append("%s: shorter than %d" % (path, s["minLength"]))
        if "pattern" in s and not re.search(s["pattern"], v):
            errors.append("%s: %r does not match %s" % (path, v, s["pattern"]))
    if isinstance(v, list):
        if "minItems" in s and len(v) < s["minItems"]:
            errors.append("%s: fewer than %d items" % (path, s["minItems"]))
        if "maxItems" in s and len(v) > s["maxItems"]:
            errors.append("%s: more than %d items" % (path, s["maxItems"]))
        if "items" in s:
            for i, item in enumerate(v):
                check(item, s["items"], root, "%s[%d]" % (path, i), errors)
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errors.append("%s: missing %r" % (path, k))
        props = s.get("properties", {})
        for k, item in v.items():
            if k in props:
                check(item, props[k], root, "%s.%s" % (path, k), errors)
            elif s.get("additionalProperties") is False:
                errors.append("%s: unexpected property %r" % (path, k))
            elif isinstance(s.get("additionalProperties"), dict):
                check(item, s["additionalProperties"], root,
                      "%s.%s" % (path, k), errors)


def sub_errors(v, s, root, path):
    errors = []
    check(v, s, root, path, errors)
    return errors


def validate(doc, schema):
    return sub_errors(doc, schema, schema, "$")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            schema = json.load(f)
        with open(sys.argv[2]) as f:
            doc = json.load(f)
        errors = validate(doc, schema)
    except (OSError, ValueError, KeyError) as e:
        print("validate_json: %s" % e, file=sys.stderr)
        return 2
    for e in errors[:30]:
        print("validate_json: %s: %s" % (sys.argv[2], e))
    if len(errors) > 30:
        print("validate_json: ... %d more" % (len(errors) - 30))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
