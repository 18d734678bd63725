#!/usr/bin/env python3
"""check_render.py -- did Chromium render an attrib HTML report?

    check_render.py PAGE.png DOM.html HYPOTHESES [--chain-only]
                                                   exit 0 ok, 1 not

DOM.html is `chromium --dump-dom` of the report: it must hold one chain
chart (<svg id="chain-chart-N">) per hypothesis, and no script, image,
frame, object or external reference. PAGE.png is Chromium's screenshot:
it must not be blank (a share of non-white pixels, many colours), and the
chain chart must be drawn: enough pixels of the belief colour (#1f4e79)
and of the uncertainty colour (#dbe5f1), within the page. With
--chain-only the screenshot is of the page with everything but the chain
charts hidden, and the dashed thresholds (#8b1a1a) must show too: the
colours then come from the chain charts alone.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402

BELIEF = (0x1f, 0x4e, 0x79)
UNCERTAIN = (0xdb, 0xe5, 0xf1)
THRESHOLD = (0x8b, 0x1a, 0x1a)


def check_dom(dom, hypotheses):
    errs = []
    charts = re.findall(r'<svg[^>]*\bid="chain-chart-(\d+)"', dom)
    if len(charts) != hypotheses:
        errs.append("%d chain charts in the DOM, expected %d"
                    % (len(charts), hypotheses))
    for tag in ("script", "img", "iframe", "object", "embed", "link",
                "image", "foreignobject", "use"):
        if re.search(r"<%s[\s>/]" % tag, dom, re.I):
            errs.append("a <%s> element in the DOM" % tag)
    for m in re.finditer(r'\s(href|src|xlink:href|action)="([^"]*)"', dom, re.I):
        if not m.group(2).startswith("#"):
            errs.append("external reference %s=%r" % (m.group(1), m.group(2)))
    if re.search(r"<[^>]+\son[a-z]+=", dom, re.I):
        errs.append("an event-handler attribute in the DOM")
    return errs


def check_png(path, chain_only=False):
    w, h, ch, rows = png.read(path)
    total = nonwhite = belief = uncertain = threshold = 0
    colours = set()
    first_belief_row = None
    for y in range(0, h, 2):           # every other row and column:
        r = rows[y]                      # enough, and twice as fast
        for x in range(0, w * ch, 2 * ch):
            px = (r[x], r[x + 1], r[x + 2])
            total += 1
            if px != (255, 255, 255):
                nonwhite += 1
                if len(colours) < 5000:
                    colours.add(px)
            if px == BELIEF:
                belief += 1
                if first_belief_row is None:
                    first_belief_row = y
            elif px == UNCERTAIN:
                uncertain += 1
            elif sum((a - b) ** 2 for a, b in zip(px, THRESHOLD)) < 3600:
                threshold += 1     # thin dashed lines: antialiased
    errs = []
    share = nonwhite / total if total else 0
    if share < 0.02:
        errs.append("page looks blank: %.2f%% non-white pixels" % (100 * share))
    if len(colours) < 20:
        errs.append("only %d colours on the page" % len(colours))
    if belief < 200:
        errs.append("chain chart not drawn: %d belief-coloured samples" % belief)
    if uncertain < 200:
        errs.append("chain chart not drawn: %d uncertainty-coloured samples"
                    % uncertain)
    if chain_only and threshold < 20:
        errs.append("chain chart thresholds not drawn: %d samples" % threshold)
    stats = ("%dx%d, %.1f%% non-white, %d+ colours, %d belief, %d "
             "uncertainty and %d threshold samples, first belief bar at y=%s"
             % (w, h, 100 * share, len(colours), belief, uncertain,
                threshold, first_belief_row))
    return errs, stats


def main():
    chain_only = "--chain-only" in sys.argv
    if chain_only:
        sys.argv.remove("--chain-only")
    if len(sys.argv) != 4:
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        dom = f.read()
    errs = check_dom(dom, int(sys.argv[3]))
    perrs, stats = check_png(sys.argv[1], chain_only)
    errs += perrs
    for e in errs:
        print("check_render: %s" % e)
    print("check_render: %s" % stats)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
