#!/usr/bin/env python3
"""check_hostile.py -- no report format lets hostile case strings act.

    check_hostile.py REPORT.html REPORT.md REPORT.json [DOM.html]

The case behind the reports holds markup and Markdown in attacker-
controlled places (HTTP URL, Host and User-Agent from the capture:
hostile_pcap.py; a hypothesis name and id, a pattern, a flag's detail and
a matched value from the score document: make_hostile_score.py). Checks:
  HTML: none of it appears as markup (no raw <script, <img, <svg on..,
        second <style>), no raw bidirectional override; with the DOM
        dump, no script/img/on* attribute made it into the document and
        the hostile text is there as text;
  Markdown: outside code spans (shown literally), no raw HTML, no live
        link or image built from it; every table keeps its column count;
  JSON: the strings are kept exactly (the report loses nothing).
Exit 0 ok, 1 a finding.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_render import check_dom  # noqa: E402

RAW = ["<script", "<img", "<svg onload", "<style>body", "<b>"]
# a CommonMark code span: a run of backticks, then the same run again
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
RLO = "\u202e"


def check_html(html):
    errs = []
    low = html.lower()
    for m in RAW:
        if m.lower() in low:
            errs.append("HTML holds raw %r" % m)
    if low.count("<style") != 1:
        errs.append("HTML has %d <style> elements" % low.count("<style"))
    if RLO in html:
        errs.append("HTML holds a raw right-to-left override")
    if "&lt;script&gt;alert(&#39;url&#39;)&lt;/script&gt;" not in html:
        errs.append("the hostile URL is not shown escaped")
    return errs


def check_md(md):
    """Code spans show their content literally, so they are taken out
    first, as a Markdown renderer would."""
    errs = []
    md_raw, md = md, CODE_SPAN.sub("CODE", md)
    for m in RAW:
        if m in md:
            errs.append("Markdown holds raw %r" % m)
    if RLO in md_raw:
        errs.append("Markdown holds a raw right-to-left override")
    if re.search(r"(?<!\\)\]\((javascript|http)", md):
        errs.append("Markdown holds a live link target")
    block = []
    for line in md.split("\n") + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            counts = {len(re.findall(r"(?<!\\)\|", row)) for row in block}
            if len(counts) != 1:
                errs.append("a Markdown table changes its column count: %r"
                            % block[0][:60])
            block = []
    return errs


def check_json(doc):
    text = json.dumps(doc, ensure_ascii=False)
    errs = []
    for s in ["<script>alert('url')</script>", "<img src=x onerror=alert(1)>",
              "<script>alert('name')</script>"]:
        if s not in text:
            errs.append("JSON lost %r" % s)
    return errs


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        errs = check_html(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        errs += check_md(f.read())
    with open(sys.argv[3], encoding="utf-8") as f:
        errs += check_json(json.load(f))
    if len(sys.argv) == 5:
        with open(sys.argv[4], encoding="utf-8", errors="replace") as f:
            dom = f.read()
        with open(sys.argv[3], encoding="utf-8") as f:
            n = len(json.load(f)["hypotheses"])
        errs += ["DOM: " + e for e in check_dom(dom, n)]
        if "alert('name')" not in dom:
            errs.append("DOM: the hostile name is not shown as text")
    for e in errs:
        print("check_hostile: %s" % e)
    if not errs:
        print("check_hostile: no hostile string acts in HTML, Markdown or "
              "JSON")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
