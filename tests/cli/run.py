#!/usr/bin/env python3
"""The command-line surface (make check step `cli`).

    python3 tests/cli/run.py build/attrib

The options each command really takes are read from the getopt tables in
cli/cmd_*.c (and CLI_GEO_OPTIONS in cli/geo.h); the kinds from
`attrib help indicators`. Against them:
  - `attrib help`, `attrib help CMD`, `attrib CMD --help` (exit 0, the
    command's usage on stdout), -V as --version;
  - the manual page docs/attrib.1 renders without a warning (man -l and
    groff -ww) and names every command, every long option, the exit
    codes 0 1 2 3 130, every kind, CASE.db, CASE.db.head and
    SOURCE_DATE_EPOCH;
  - bash completion (docs/attrib.bash-completion sourced, _attrib called
    with COMP_WORDS set) offers every command, every long option of each
    command, exactly the kinds after --kind (asked of the program, or its
    own list when there is none to ask), and file names for paths;
  - "did you mean" for a mistyped command and kind (exit 2), and none
    when nothing is near;
  - --kind repeated lists the union of the kinds' observations;
  - --models models loads the model files of models/lab and models/stix
    and lists the files it skipped with the reason;
  - make install into a temporary DESTDIR puts the program, manual,
    completion, sample models and docs in place; the installed manual
    renders and the installed program scores with the installed models.
Prints one line per check and "cli: N passed, M failed"; exit 1 when any
failed.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PCAPS = os.environ.get("ATTRIB_PCAPS", os.path.join(ROOT, "..", "shared", "pcaps", "ndpi"))
MAN = os.path.join(ROOT, "docs", "attrib.1")
COMPLETION = os.path.join(ROOT, "docs", "attrib.bash-completion")

passed = failed = 0


def check(name, cond, why=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"cli: ok: {name}")
    else:
        failed += 1
        print(f"cli: FAILED: {name}{': ' + str(why)[:400] if why else ''}")


def run(args, **kw):
    return subprocess.run([ATTRIB] + args, capture_output=True, text=True, **kw)


def source_options():
    """{command: (set of long options, set of short options)} from the
    getopt tables of cli/cmd_*.c."""
    geo = open(os.path.join(ROOT, "cli", "geo.h")).read() \
        if os.path.exists(os.path.join(ROOT, "cli", "geo.h")) else ""
    geo_longs = set(re.findall(r'\{"([a-z0-9-]+)",\s*\w+_argument', geo))
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "cli", "cmd_*.c"))):
        cmd = os.path.basename(path)[4:-2]
        src = open(path).read()
        longs = set(re.findall(r'\{"([a-z0-9-]+)",\s*\w+_argument', src))
        if "CLI_GEO_OPTIONS" in src:
            longs |= geo_longs
        shorts = set()
        for optstring in re.findall(r'getopt_long\(\s*argc,\s*argv,\s*"([^"]*)"', src):
            shorts |= {c for c in optstring.lstrip("+") if c.isalpha()}
        out[cmd] = (longs, shorts)
    return out


def listed_commands():
    p = run(["help"])
    return re.findall(r"^  attrib ([a-z]+)\s", p.stdout, re.M)


def kinds():
    p = run(["help", "indicators"])
    m = re.search(r"kinds:(.*)", p.stdout)
    return m.group(1).split() if m else []


def man_text(path):
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0", LC_ALL="C.UTF-8")
    p = subprocess.run(["man", "-l", path], capture_output=True, text=True, env=env)
    return p, re.sub(".\x08", "", p.stdout)


def complete(comp, words, cwd=None):
    """What _attrib offers for words (the last one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    script = (f"source '{comp}'; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
              f"COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; "
              '_attrib attrib "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script],
                       capture_output=True, text=True, cwd=cwd)
    return [l for l in p.stdout.splitlines() if l]


def test_help(opts):
    cmds = listed_commands()
    check("attrib help lists every command of cli/cmd_*.c",
          set(opts) - {"help"} <= set(cmds), sorted(set(opts) - set(cmds)))
    for c in sorted(opts):
        a, b = run(["help", c]), run([c, "--help"])
        check(f"attrib help {c} and attrib {c} --help print its usage on stdout, exit 0",
              a.returncode == 0 and b.returncode == 0 and
              a.stdout.startswith(f"usage: attrib {c}") and a.stdout == b.stdout and
              not a.stderr and not b.stderr,
              (a.returncode, b.returncode, a.stdout[:80], b.stdout[:80]))
    p, q, r = run(["-V"]), run(["--version"]), run(["help"])
    check("-V prints the version as --version does",
          p.returncode == 0 and p.stdout == q.stdout and p.stdout.startswith("attrib "),
          (p.stdout, q.stdout))
    check("attrib help exits 0 and names the exit codes with 130",
          r.returncode == 0 and "130 interrupted" in r.stdout, r.stdout[-200:])
    return cmds


def test_suggest(case):
    for typed, want in [("ingset", "ingest"), ("verfy", "verify"),
                        ("indicatros", "indicators"), ("sumary", "summary"),
                        ("hepl", "help"), ("verison", "version")]:
        p = run([typed])
        check(f"'{typed}' suggests '{want}', exit 2",
              p.returncode == 2 and f"did you mean '{want}'?" in p.stderr, p.stderr)
    p = run(["xyzzy"])
    check("nothing near: no suggestion, exit 2",
          p.returncode == 2 and "did you mean" not in p.stderr, p.stderr)
    p = run(["help", "ingset"])
    check("attrib help with a mistyped command suggests, exit 2",
          p.returncode == 2 and "did you mean 'ingest'?" in p.stderr, p.stderr)
    p = run(["indicators", "--db", case, "--kind", "tls.sin"])
    check("--kind tls.sin suggests tls.sni, exit 2",
          p.returncode == 2 and "did you mean 'tls.sni'?" in p.stderr, p.stderr)


def test_kinds_repeat(case):
    def rows(*ks):
        args = ["indicators", "--db", case, "--json"]
        for k in ks:
            args += ["--kind", k]
        p = run(args)
        return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l]
    rc1, a = rows("tls.sni")
    rc2, b = rows("dns.query")
    rc3, both = rows("tls.sni", "dns.query")
    key = lambda r: (r["source_sha256"], r["frame"], r["offset"], r["kind"], r["value"])
    check("--kind repeated is the OR of the kinds",
          rc1 == rc2 == rc3 == 0 and a and b and
          sorted(map(key, both)) == sorted(map(key, a + b)),
          (rc1, rc2, rc3, len(a), len(b), len(both)))


def test_man(opts, cmds):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    p = subprocess.run(["man", "-l", MAN], capture_output=True, text=True, env=env)
    check("man -l docs/attrib.1 renders without a warning",
          p.returncode == 0 and p.stdout and not p.stderr.strip(), p.stderr)
    g = subprocess.run(["groff", "-ww", "-man", "-Tutf8", "-z", MAN],
                       capture_output=True, text=True)
    check("groff -ww -man finds nothing to warn about",
          g.returncode == 0 and not g.stderr.strip(), g.stderr)
    _, text = man_text(MAN)
    flat = re.sub(r"[\u2010\u2011\u2212]", "-", text)  # hyphens as typed
    flat = re.sub(r"[ \t]+", " ", flat)                  # justified spaces
    missing = [c for c in cmds if f"attrib {c}" not in flat]
    check("the manual names every command", not missing, missing)
    missing = sorted({f"{c}: --{o}" for c, (longs, _) in opts.items()
                      for o in longs if f"--{o}" not in flat})
    check("the manual names every long option of every command", not missing, missing)
    joined = re.sub(r"-\n\s*", "-", re.sub(r",\s+", ", ", flat))
    missing = [k for k in kinds() if not re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", joined)]
    check("the manual names every kind of indicators --help", kinds() and not missing, missing)
    sec = flat[flat.find("EXIT STATUS"):flat.find("ENVIRONMENT")]
    missing = [n for n in ["0", "1", "2", "3", "130"]
               if not re.search(rf"^\s+{n}\s", sec, re.M)]
    check("the manual gives the exit codes 0 1 2 3 130", "EXIT STATUS" in flat and not missing,
          missing)
    missing = [w for w in ["CASE.db.head", "SOURCE_DATE_EPOCH", "FILES", "ENVIRONMENT",
                           "EXAMPLES"] if w not in flat]
    check("the manual has FILES (CASE.db.head), ENVIRONMENT (SOURCE_DATE_EPOCH), EXAMPLES",
          not missing, missing)


def test_completion(comp, opts, cmds, work, label=""):
    got = complete(comp, ["attrib", ""])
    check(f"{label}completion offers every command", set(cmds) <= set(got),
          sorted(set(cmds) - set(got)))
    check(f"{label}completion of 'in' is ingest and indicators",
          sorted(complete(comp, ["attrib", "in"])) == ["indicators", "ingest"],
          complete(comp, ["attrib", "in"]))
    missing = []
    for c, (longs, _) in sorted(opts.items()):
        offered = set(complete(comp, ["attrib", c, "--"]))
        missing += [f"{c}: --{o}" for o in sorted(longs) if f"--{o}" not in offered]
    check(f"{label}completion offers every long option of each command", not missing, missing)
    ks = kinds()
    got = complete(comp, ["/nonexistent/attrib", "indicators", "--db", "x.db", "--kind", ""])
    check(f"{label}completion's own kind list (no attrib to ask) is indicators --help's",
          ks and sorted(got) == sorted(ks), (sorted(set(ks) ^ set(got)), len(ks)))
    got = complete(comp, [ATTRIB, "indicators", "--db", "x.db", "--kind", ""])
    check(f"{label}completion after --kind offers the kinds attrib lists",
          ks and sorted(got) == sorted(ks), (sorted(set(ks) ^ set(got)), len(ks)))
    fake = os.path.join(work, "fake-attrib")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho 'usage: attrib indicators'\necho '  kinds: zz.one zz.two'\n")
    os.chmod(fake, 0o755)
    got = complete(comp, [fake, "indicators", "--kind", "zz"])
    check(f"{label}completion asks the program for its kinds", got == ["zz.one", "zz.two"], got)
    got = complete(comp, ["attrib", "indicators", "--kind", "tls.ja"])
    check(f"{label}completion of --kind tls.ja", got == ["tls.ja3", "tls.ja3s", "tls.ja4"], got)
    got = complete(comp, ["attrib", "help", "fl"])
    check(f"{label}completion after help offers commands", got == ["flows"], got)
    os.makedirs(os.path.join(work, "caps"), exist_ok=True)
    open(os.path.join(work, "caps", "one.pcap"), "w").close()
    got = complete(comp, ["attrib", "ingest", "--db", "c.db", "caps/o"], cwd=work)
    check(f"{label}completion of a capture path offers the file", got == ["caps/one.pcap"], got)
    got = complete(comp, ["attrib", "verify", "--db", "caps/"], cwd=work)
    check(f"{label}completion after --db offers files", "caps/one.pcap" in got, got)
    open(os.path.join(work, "caps", "two words.pcap"), "w").close()
    got = complete(comp, ["attrib", "ingest", "--db", "c.db", "caps/t"], cwd=work)
    check(f"{label}completion keeps a file name with a space whole",
          got == ["caps/two words.pcap"], got)
    os.makedirs(os.path.join(work, "caps", "sub"), exist_ok=True)
    open(os.path.join(work, "caps", "geo.mmdb"), "w").close()
    got = complete(comp, ["attrib", "flows", "--geoip", "caps/"], cwd=work)
    check(f"{label}completion after --geoip offers .mmdb files and folders",
          sorted(got) == ["caps/geo.mmdb", "caps/sub"], got)
    got = complete(comp, ["attrib", "capture", "-w", "caps/"], cwd=work)
    check(f"{label}completion after -w offers folders only", got == ["caps/sub"], got)


def test_models(case):
    p = run(["score", "--db", case, "--models", os.path.join(ROOT, "models"), "--json"])
    files = []
    if p.returncode == 0:
        files = [os.path.relpath(m.get("path", ""), ROOT) for m in json.loads(p.stdout).get("models", [])]
    want = sorted(os.path.relpath(f, ROOT) for f in
                  glob.glob(os.path.join(ROOT, "models", "*", "*.yaml")) +
                  glob.glob(os.path.join(ROOT, "models", "*", "*.json")))
    check("--models models loads every model file in the subfolders",
          p.returncode == 0 and sorted(files) == want, (p.returncode, files, want, p.stderr[:300]))
    check("--models models lists what it skipped with the reason",
          re.search(r"skipped \S*models/README\.md: not a model file", p.stderr) is not None,
          p.stderr[:300])


def test_install(opts, cmds, case, work):
    dest = os.path.join(work, "dest")
    p = subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}",
                        "PREFIX=/opt/attrib", f"ATTRIB={ATTRIB}"],
                       capture_output=True, text=True)
    pre = os.path.join(dest, "opt/attrib")
    want = ["bin/attrib", "share/man/man1/attrib.1",
            "share/bash-completion/completions/attrib",
            "share/attrib/models/lab/actors.yaml", "share/attrib/models/stix/lab-intel.json",
            "share/doc/attrib/README.md", "share/doc/attrib/model-format.md"]
    missing = [w for w in want if not os.path.isfile(os.path.join(pre, w))]
    check("make install DESTDIR= PREFIX= puts program, manual, completion, models, docs",
          p.returncode == 0 and not missing, (p.returncode, p.stderr[-300:], missing))
    if missing:
        return
    check("the installed program is executable",
          os.access(os.path.join(pre, "bin/attrib"), os.X_OK))
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    m = subprocess.run(["man", "-l", os.path.join(pre, "share/man/man1/attrib.1")],
                       capture_output=True, text=True, env=env)
    check("man -l renders the installed manual without a warning",
          m.returncode == 0 and "EXIT STATUS" in re.sub(".\x08", "", m.stdout)
          and not m.stderr.strip(), m.stderr)
    check("the installed manual names the installed models folder",
          "/opt/attrib/share/attrib/models" in re.sub(".\x08", "", m.stdout))
    test_completion(os.path.join(pre, "share/bash-completion/completions/attrib"),
                    opts, cmds, work, "installed ")
    s = subprocess.run([os.path.join(pre, "bin/attrib"), "score", "--db", case, "--models",
                        os.path.join(pre, "share/attrib/models")],
                       capture_output=True, text=True)
    check("the installed program scores with the installed models", s.returncode == 0,
          s.stderr[:300])


def main():
    global ATTRIB
    if len(sys.argv) != 2:
        print("usage: run.py ATTRIB", file=sys.stderr)
        return 2
    ATTRIB = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="attrib-cli-")
    try:
        case = os.path.join(work, "c.db")
        caps = [os.path.join(PCAPS, c) for c in ["tls_verylong_certificate.pcap", "dns.pcap"]]
        p = run(["ingest", "--db", case] + caps)
        if p.returncode != 0:
            print(f"cli: FAILED: ingest {caps}: {p.stderr[:300]}")
            return 1
        opts = source_options()
        cmds = test_help(opts)
        test_suggest(case)
        test_kinds_repeat(case)
        test_man(opts, cmds)
        test_completion(COMPLETION, opts, cmds, work)
        test_models(case)
        test_install(opts, cmds, case, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"cli: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
