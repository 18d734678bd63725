#!/usr/bin/env python3
"""make_hostile_score.py IN.json OUT.json -- the fixture score document
with attacker-controlled strings where a model or a capture could put
them: a hypothesis name with markup, a Markdown link and a raw
right-to-left override; a hypothesis id that closes an attribute; a
pattern and a matched value with quotes and backslashes (for STIX
patterns); a flag detail with a table pipe.
"""
import json
import sys

with open(sys.argv[1]) as f:
    doc = json.load(f)
a, b = doc["hypotheses"][0], doc["hypotheses"][1]
a["name"] = ("</td><script>alert('name')</script> \u202e [click](http://"
             "evil.test/) | <b>bold</b>")
b["id"] = "b\"><script>alert(4)</script>"
ev = a["evidence"][0]
ev["pattern"] = "it's a \\ pattern <b>x</b> `code` | pipe"
ev["values"] = ["it's a \\ value <b>x</b>"] + ev.get("values", [])[1:]
for fl in b["flags"]:
    fl["detail"] = "detail | with <script>alert(5)</script> pipe"
with open(sys.argv[2], "w") as f:
    json.dump(doc, f)
