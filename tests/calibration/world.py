"""world.py -- the calibration scenarios: draws one attribution scenario
of the lab world (models/README.md) from a seed and writes it as a
scenario file for the generator (pcaps/gen/README.md) and, when it has
any, a model file of non-technical claims.

Every scenario is a small capture (two days) of one operation by actor A,
actor B or an unnamed actor C, with background traffic. What varies:

- who the true actor is, and whether its organisation is state-directed
  (the truth of L4; L1, L2, L3 and L3i hold for the true actor);
- background volume (noise);
- which cheap artefacts are present: each of six slots (ClientHello,
  beacon timing, working hours, staging domain, user agent, hop-point
  country) carries a planted artefact of a decoy actor with the
  scenario's planted share, else the true actor's own with the
  scenario's own share, else something neutral;
- which costly evidence is present: the actor's reused certificate, the
  actor's long-held server behind a hop point (in the lab world costly
  evidence is never planted; in the adversarial world "costly" the
  decoy's certificate or server is planted in COSTLY_PLANT_RATE of the
  scenarios: an adversary that holds the other actor's key or server);
- non-technical claims: none, or one per link (sometimes two sources),
  each about A or B, true with a probability that follows its Admiralty
  rating (simulated sources: A2 90 %, B2 80 %, B3 65 %, C3 55 %), or in
  the adversarial world "claims" less often than the rating says (A2
  60 %, B2 55 %, B3 50 %, C3 50 %).

The truth (generator statements `actor`, `links`) follows from these
draws; calibrate.py reads it back from the truth file.
"""
import random

LINKS = ("L1", "L2", "L3", "L3i", "L4")
NAMED = ("actor-a", "actor-b")

# Tradecraft per actor, as models/lab/actors.yaml describes it (C is not
# in any model).
TRADECRAFT = {
    "actor-a": {
        "profile": "implant-a", "period": 300, "jitter": 0.1,
        "offset": 8, "domain": "staging-a.example",
        "ua": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) lab-agent-a/3.2",
        "hop_net": (0xCB007100, 2, 60),     # 203.0.113.2-60: country XA
        "servers": ("203.0.113.70", "203.0.113.71", "203.0.113.72"),
        "cert": ("cdn-a.test", 1001),
    },
    "actor-b": {
        "profile": "implant-b", "period": 3600, "jitter": 0.3,
        "offset": -5, "domain": "sync-b.test",
        "ua": "lab-agent-b/2.1 (X11; Linux x86_64)",
        "hop_net": (0xCB007100, 200, 250),  # 203.0.113.200-250: country XB
        "servers": ("203.0.113.130", "203.0.113.131", "203.0.113.132"),
        "cert": ("mail-b.test", 2002),
    },
    "actor-c": {
        "profile": "browser", "period": 1200, "jitter": 0.25,
        "offset": 3, "domain": "edge-c.invalid",
        "ua": "Mozilla/5.0 (compatible; lab-agent-c)",
        "hop_net": (0xC6336400, 230, 250),  # 198.51.100.230-250: XC
        "servers": ("198.51.100.227", "198.51.100.228", "198.51.100.229"),
        "cert": ("edge-c.invalid", 3003),
    },
}
NEUTRAL = {
    "profile": "browser", "ua":
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 "
        "Firefox/115.0",
}
# Simulated claim sources: (reliability, credibility, P(true)).
RATINGS = (("A", 2, 0.90), ("B", 2, 0.80), ("B", 3, 0.65), ("C", 3, 0.55))
# The adversarial world "claims": sources less accurate than their
# rating says (an A2 source right 60 % of the time).
RATINGS_OVERRATED = (("A", 2, 0.60), ("B", 2, 0.55), ("B", 3, 0.50),
                     ("C", 3, 0.50))
# The worlds: "lab" (costly evidence never planted, claims as accurate
# as rated), "costly" (the decoy's certificate or server planted, at
# COSTLY_PLANT_RATE of scenarios), "claims" (RATINGS_OVERRATED).
WORLDS = ("lab", "costly", "claims")
COSTLY_PLANT_RATE = 0.3
CLAIM_TYPES = {"L1": "seized-logs", "L2": "vendor-report",
               "L3": "intelligence", "L3i": "seized-logs",
               "L4": "intelligence"}


def ip_text(n):
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255,
                            n & 255)


def draw(seed, world="lab"):
    """The parameters of scenario `seed` in `world` (a dict; same seed and
    world, same dict; the lab draws are the same in every world)."""
    r = random.Random(seed * 7919 + 17)
    actor = r.choices(("actor-a", "actor-b", "actor-c"), (4, 4, 2))[0]
    decoy = r.choice([h for h in NAMED if h != actor])
    p = {
        "seed": seed,
        "actor": actor,
        "decoy": decoy,
        "state_directed": r.random() < 0.7,
        "bg_clients": r.randint(4, 30),
        "bg_rate": round(r.uniform(0.5, 6.0), 1),
        "own_share": round(r.uniform(0.2, 1.0), 2),
        "planted_share": r.choice((0.0, 0.0, 0.25, 0.5, 0.75, 1.0)),
        "cert_reuse": r.random() < 0.5,
        "server_reuse": r.random() < 0.5,
        "hop_point": r.random() < 0.7,
        "http": r.random() < 0.7,
        "claims": r.random() < 0.5,
        "start_week": r.randint(0, 40),
    }
    slots = {}
    for slot in ("profile", "beacon", "hours", "domain", "ua", "hop"):
        u = r.random()
        if u < p["planted_share"]:
            slots[slot] = "planted"
        elif r.random() < p["own_share"]:
            slots[slot] = "own"
        else:
            slots[slot] = "neutral"
    p["slots"] = slots
    p["picks"] = [r.random() for _ in range(8)]
    # adversarial draws come from their own stream, so the lab draws
    # above stay the same in every world
    adv = random.Random(seed * 104729 + 3)
    p["world"] = world
    p["costly_planted"] = world == "costly" and \
        adv.random() < COSTLY_PLANT_RATE
    if p["costly_planted"]:   # the adversary holds the decoy's key/server
        p["cert_reuse"] = adv.random() < 0.7
        p["server_reuse"] = not p["cert_reuse"] or adv.random() < 0.5
    ratings = RATINGS_OVERRATED if world == "claims" else RATINGS
    p["claim_list"] = draw_claims(r, p, ratings) if p["claims"] else []
    return p


def truth(p):
    """{hypothesis: {link: 0/1}} for A and B."""
    t = {}
    for h in NAMED:
        own = p["actor"] == h
        t[h] = {l: int(own) for l in LINKS}
        if own:
            t[h]["L4"] = int(p["state_directed"])
    return t


def truth_someone_else(p):
    """{link: 0/1} for "someone else" (neither A nor B did that link),
    and its state-chain truth: no named state chain holds."""
    c = p["actor"] not in NAMED
    t = {l: int(c) for l in LINKS}
    if c:
        t["L4"] = int(p["state_directed"])
    chain = int(c or not p["state_directed"])
    return t, chain


def draw_claims(r, p, ratings=RATINGS):
    """Claims, each a dict: hypothesis, link, direction, rating, source."""
    t = truth(p)
    claims = []
    n = 0
    for link in LINKS:
        if r.random() < 0.4:
            continue
        for _ in range(2 if r.random() < 0.2 else 1):
            about = r.choice(NAMED)
            rel, cred, p_true = r.choice(ratings)
            holds = t[about][link] == 1
            says_holds = holds if r.random() < p_true else not holds
            n += 1
            claims.append({
                "id": "c%d" % n, "hypothesis": about, "link": link,
                "direction": "supports" if says_holds else "contradicts",
                "reliability": rel, "credibility": cred,
                "type": CLAIM_TYPES[link], "source": "source-%d" % n,
                "accurate": says_holds == holds,
            })
    return claims


def artefact(p, slot):
    """Whose tradecraft fills a slot: a TRADECRAFT key or None."""
    kind = p["slots"][slot]
    if kind == "planted":
        return p["decoy"]
    if kind == "own":
        return p["actor"]
    return None


def scenario_text(p, models):
    """The scenario file of p; models: paths relative to the repo."""
    actor = p["actor"]
    # costly evidence planted: the decoy's certificate and server
    own = TRADECRAFT[p["decoy"] if p.get("costly_planted") else actor]
    pk = p["picks"]
    prof = artefact(p, "profile")
    beat = TRADECRAFT[artefact(p, "beacon") or "actor-c"]
    if artefact(p, "beacon") is None:
        beat = {"period": 600 + int(pk[0] * 900), "jitter": 0.2}
    hours = artefact(p, "hours")
    dom = artefact(p, "domain")
    domain = TRADECRAFT[dom]["domain"] if dom else \
        "cdn%d.example.org" % int(pk[1] * 90 + 10)
    ua_of = artefact(p, "ua")
    hop_of = artefact(p, "hop") or "actor-c"
    base, lo, hi = TRADECRAFT[hop_of]["hop_net"]
    hop = ip_text(base + lo + int(pk[2] * (hi - lo)))
    if p["server_reuse"]:
        server = own["servers"][int(pk[3] * 3)]
    else:   # a fresh server nobody has reported, in XC
        server = "198.51.100.%d" % (220 + int(pk[3] * 6))
    lines = [
        "# calibration scenario %d (tests/calibration/world.py): actor %s,"
        " decoy %s" % (p["seed"], actor, p["decoy"]),
        "seed %d" % (p["seed"] + 1000),
        "start %s" % week_start(p["start_week"]),
        "duration 2d",
        "utc_offset %+d" % TRADECRAFT[hours]["offset"] if hours
        else "utc_offset +0",
        "",
        "actor %s" % (actor if actor in NAMED else "none"),
    ]
    t = truth(p)
    for h in NAMED:
        lines.append("links %s %s" % (h, " ".join(
            "%s=%d" % (l, t[h][l]) for l in LINKS)))
    for m in models:
        lines.append("model %s" % m)
    who = "actor=%s" % actor if actor in NAMED else ""
    if not p["hop_point"]:
        slots_used = ("profile", "beacon", "hours", "domain", "ua")
    else:
        slots_used = ("profile", "beacon", "hours", "domain", "ua", "hop")

    def tag(slots):
        planted = any(p["slots"][s] == "planted" for s in slots
                      if s in slots_used)
        return " ".join(x for x in (
            who, "planted=%s" % p["decoy"] if planted else "") if x)

    target = hop if p["hop_point"] else server
    if p["hop_point"]:
        lines.append("relay listen=%s upstream=%s delay_ms=%d %s" % (
            hop, server, 10 + int(pk[4] * 40), who))
    tls = "tls=1.3"
    if p["cert_reuse"]:
        tls = "tls=1.2 cert_cn=%s cert_seed=%d" % own["cert"]
    elif pk[5] < 0.5:   # a fresh certificate nobody has reported
        tls = "tls=1.2 cert_cn=fresh%d.example.net" % int(pk[6] * 1000)
    lines.append(
        "beacon client=10.0.0.40 server=%s sni=upd.%s period=%d "
        "jitter=%g missed=0.02 hours=%s profile=%s %s resolver=192.0.2.53 "
        "%s" % (target, domain, beat["period"], beat["jitter"],
                "work" if hours else "all",
                TRADECRAFT[prof]["profile"] if prof else NEUTRAL["profile"],
                tls, tag(("profile", "beacon", "hours", "domain", "hop"))))
    if p["http"]:
        ua = TRADECRAFT[ua_of]["ua"] if ua_of else NEUTRAL["ua"]
        lines.append(
            'http client=10.0.0.40 server=%s host=get.%s path=/t/%d.dat '
            'ua="%s" count=%d hours=%s %s' % (
                target, domain, int(pk[7] * 100), ua, 4 + int(pk[7] * 8),
                "work" if hours else "all",
                tag(("ua", "domain", "hours", "hop"))))
    lines.append(
        "background clients=%d net=10.0.1.0 sites=30 rate=%g/h hours=all "
        "resolver=192.0.2.53" % (p["bg_clients"], p["bg_rate"]))
    return "\n".join(lines) + "\n"


def week_start(k):
    """The Monday k weeks after 2024-01-01 (a Monday), as a start."""
    days = 7 * k
    month_days = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    m = 0
    while days >= month_days[m]:
        days -= month_days[m]
        m += 1
    return "2024-%02d-%02dT00:00:00Z" % (m + 1, days + 1)


def claims_yaml(p):
    """A model file of p's claims (pooled with actors.yaml), or None."""
    if not p["claim_list"]:
        return None
    out = ["format: attrib-model-1",
           "name: calibration-claims-%d" % p["seed"],
           "source: calibration", "hypotheses:"]
    for h in NAMED:
        mine = [c for c in p["claim_list"] if c["hypothesis"] == h]
        if not mine:
            continue
        out += ["  - id: %s" % h, "    claims:"]
        for c in mine:
            out += ["      - id: %s" % c["id"],
                    "        type: %s" % c["type"],
                    "        link: %s" % c["link"],
                    "        direction: %s" % c["direction"],
                    "        reliability: %s" % c["reliability"],
                    "        credibility: %d" % c["credibility"],
                    "        source: %s" % c["source"]]
    return "\n".join(out) + "\n"
