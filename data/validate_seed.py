#!/usr/bin/env python3
"""Validate data/seed.json for the Exodus API.

Usage: python3 data/validate_seed.py [path/to/seed.json]
Exits 0 when the file is valid, 1 on any problem (each problem is printed).
"""
import datetime
import json
import os
import re
import sys
from urllib.parse import urlparse

KINDS = ["sources", "organizations", "instruments", "withdrawals", "stakeholders", "reactions", "pacts", "corrections"]

ENUMS = {
    "confidence": {"CONFIRMED", "SINGLE_SOURCE", "UNCONFIRMED"},
    "orgKind": {"UN_ENTITY", "INTERGOVERNMENTAL", "MULTISTAKEHOLDER", "PARTNERSHIP", "OTHER"},
    "digitalRelevance": {"CORE", "ADJACENT", "NONE"},
    "listSection": {"NON_UN", "UN", None},
    "instrumentKind": {"EXECUTIVE_ORDER", "PRESIDENTIAL_MEMORANDUM", "LETTER", "STATEMENT", "FACT_SHEET", "NOTICE"},
    "withdrawalStatus": {"ANNOUNCED", "NOTICE_GIVEN", "EFFECTIVE", "REVERSED"},
    "stakeholderKind": {"GOVERNMENT", "LEGISLATOR", "DIGITAL_RIGHTS_GROUP", "INDUSTRY", "THINK_TANK", "AFFECTED_BODY",
                        "ACADEMIC", "INTERNATIONAL_ORGANIZATION", "CIVIL_SOCIETY", "INDIVIDUAL", "MEDIA"},
    "stance": {"SUPPORT", "OPPOSE", "MIXED", "NEUTRAL"},
    "pactKind": {"BILATERAL", "PLURILATERAL", "PRIVATE_ALLIANCE"},
    "pactStatus": {"PROPOSED", "NEGOTIATING", "SIGNED", "IN_FORCE", "PAUSED", "ABANDONED"},
    "partyRole": {"LEAD", "FOUNDING_SIGNATORY", "SIGNATORY", "OBSERVER"},
    "verdict": {"FALSE", "MISLEADING", "UNSUPPORTED", "ACCURATE"},
    "category": {"digital-rights", "cybersecurity", "internet-governance", "security", "counterterrorism", "climate", "energy",
                 "environment", "development", "education", "humanitarian", "human-rights", "democracy", "rule-of-law",
                 "trade", "commodities", "culture", "science", "migration", "peace", "gender", "health", "maritime",
                 "regional-cooperation", "un-coordination", "disarmament", "research", "transport", "urban",
                 "international-law", "oceans", "water", "population"},
    "concernKind": {"organization", "instrument", "withdrawal", "stakeholder", "reaction", "pact", "source"},
    "subjectKind": {"withdrawal", "instrument", "pact"},
    "replacesKind": {"organization", "withdrawal"},
}

# exact key sets per kind (required keys; optional ones may be null but must be present or absent as listed)
REQUIRED = {
    "sources": ["slug", "url", "title", "publisher", "retrievedOn", "isMirror", "confidence"],
    "organizations": ["slug", "name", "kind", "categories", "digitalRelevance", "listSection", "hostedByUn", "description",
                      "confidence", "sources"],
    "instruments": ["slug", "kind", "title", "signedOn", "summary", "confidence", "sources"],
    "withdrawals": ["slug", "organization", "instrument", "announcedOn", "withdrawalStatus", "fundingEnded", "confidence",
                    "sources"],
    "stakeholders": ["slug", "name", "kind", "confidence", "sources"],
    "reactions": ["slug", "stakeholder", "subject", "stance", "summary", "reactedOn", "dateApproximate", "confidence", "sources"],
    "pacts": ["slug", "title", "kind", "pactStatus", "binding", "summary", "topics", "parties", "statusHistory", "replaces",
              "confidence", "sources"],
    "corrections": ["slug", "claim", "claimedIn", "verdict", "finding", "concerns", "confidence", "sources"],
}
OPTIONAL = {
    "sources": ["publishedOn", "note"],
    "organizations": ["acronym", "listPosition", "headquarters", "website"],
    "instruments": ["number", "publishedOn", "federalRegisterCitation", "url"],
    "withdrawals": ["effectiveOn", "rationale", "expectedImpact"],
    "stakeholders": ["country", "affiliation", "organization"],
    "reactions": [],
    "pacts": ["signedOn"],
    "corrections": ["claimSource"],
}

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ISO2_RE = re.compile(r"^[A-Z]{2}$")

problems = []


def bad(msg):
    problems.append(msg)


def is_date(v):
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        datetime.date.fromisoformat(v)
        return True
    except ValueError:
        return False


def check_date(where, v, nullable=False):
    if v is None and nullable:
        return
    if not is_date(v):
        bad(f"{where}: invalid date {v!r}")


def check_url(where, v, nullable=False):
    if v is None and nullable:
        return
    p = urlparse(v) if isinstance(v, str) else None
    if not p or p.scheme not in ("http", "https") or not p.netloc or " " in v or "..." in v:
        bad(f"{where}: invalid absolute URL {v!r}")


def check_enum(where, enum, v):
    if v not in ENUMS[enum]:
        bad(f"{where}: {v!r} is not a valid {enum}")


def check_text(where, v, nullable=False):
    if v is None and nullable:
        return
    if not isinstance(v, str) or not v.strip():
        bad(f"{where}: expected non-empty text, got {v!r}")


def check_bool(where, v):
    if not isinstance(v, bool):
        bad(f"{where}: expected boolean, got {v!r}")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"FAIL: cannot load {path}: {e}")
        return 1

    if not isinstance(data, dict):
        print("FAIL: top level must be an object")
        return 1
    for k in data:
        if k not in KINDS:
            bad(f"unknown top-level key {k!r}")
    for k in KINDS:
        if not isinstance(data.get(k), list):
            bad(f"top-level {k!r} must be a list")
            data[k] = []

    # keys, slugs
    slugs = {}
    for kind in KINDS:
        seen = set()
        for i, rec in enumerate(data[kind]):
            where = f"{kind}[{i}]"
            if not isinstance(rec, dict):
                bad(f"{where}: not an object")
                continue
            allowed = set(REQUIRED[kind]) | set(OPTIONAL[kind])
            for key in REQUIRED[kind]:
                if key not in rec:
                    bad(f"{where}: missing key {key!r}")
            for key in rec:
                if key not in allowed:
                    bad(f"{where}: unexpected key {key!r}")
            slug = rec.get("slug")
            if not isinstance(slug, str) or not SLUG_RE.match(slug):
                bad(f"{where}: bad slug {slug!r}")
            elif slug in seen:
                bad(f"{where}: duplicate {kind} slug {slug!r}")
            seen.add(slug)
            check_enum(f"{where}.confidence", "confidence", rec.get("confidence"))
        slugs[kind] = seen

    # sources
    urls = {}
    for i, r in enumerate(data["sources"]):
        w = f"sources[{i}]({r.get('slug')})"
        check_url(w + ".url", r.get("url"))
        if r.get("url") in urls:
            bad(f"{w}: duplicate URL (also {urls[r.get('url')]})")
        urls[r.get("url")] = r.get("slug")
        check_text(w + ".title", r.get("title"))
        check_text(w + ".publisher", r.get("publisher"))
        check_date(w + ".publishedOn", r.get("publishedOn"), nullable=True)
        check_date(w + ".retrievedOn", r.get("retrievedOn"))
        check_bool(w + ".isMirror", r.get("isMirror"))
        check_text(w + ".note", r.get("note"), nullable=True)

    used_sources = set()

    def check_sources(where, lst):
        if not isinstance(lst, list) or not lst:
            bad(f"{where}.sources: must be a non-empty list")
            return
        for j, ref in enumerate(lst):
            if not isinstance(ref, dict) or set(ref) != {"source", "note"}:
                bad(f"{where}.sources[{j}]: must be {{source, note}}")
                continue
            if ref["source"] not in slugs["sources"]:
                bad(f"{where}.sources[{j}]: unknown source {ref['source']!r}")
            used_sources.add(ref["source"])
            check_text(f"{where}.sources[{j}].note", ref["note"])

    # organizations
    positions = {"NON_UN": [], "UN": []}
    for i, r in enumerate(data["organizations"]):
        w = f"organizations[{i}]({r.get('slug')})"
        check_text(w + ".name", r.get("name"))
        check_text(w + ".acronym", r.get("acronym"), nullable=True)
        check_enum(w + ".kind", "orgKind", r.get("kind"))
        cats = r.get("categories")
        if not isinstance(cats, list) or not 1 <= len(cats) <= 3 or len(set(cats)) != len(cats or []):
            bad(f"{w}.categories: need 1-3 distinct entries")
        else:
            for c in cats:
                check_enum(w + ".categories", "category", c)
        check_enum(w + ".digitalRelevance", "digitalRelevance", r.get("digitalRelevance"))
        sec = r.get("listSection")
        check_enum(w + ".listSection", "listSection", sec)
        pos = r.get("listPosition")
        if sec is None:
            if pos is not None:
                bad(f"{w}: listPosition set without listSection")
        elif sec in positions:
            if not isinstance(pos, int) or isinstance(pos, bool):
                bad(f"{w}: listPosition must be an integer")
            else:
                positions[sec].append(pos)
        check_bool(w + ".hostedByUn", r.get("hostedByUn"))
        if sec == "UN" and (r.get("kind") != "UN_ENTITY" or r.get("hostedByUn") is not True):
            bad(f"{w}: UN-list entries must be kind UN_ENTITY with hostedByUn true")
        check_text(w + ".headquarters", r.get("headquarters"), nullable=True)
        check_url(w + ".website", r.get("website"), nullable=True)
        check_text(w + ".description", r.get("description"))
        check_sources(w, r.get("sources"))
    for sec, n in (("NON_UN", 35), ("UN", 31)):
        if sorted(positions[sec]) != list(range(1, n + 1)):
            bad(f"organizations: {sec} listPositions must be exactly 1..{n}, got {sorted(positions[sec])}")

    # instruments
    for i, r in enumerate(data["instruments"]):
        w = f"instruments[{i}]({r.get('slug')})"
        check_enum(w + ".kind", "instrumentKind", r.get("kind"))
        check_text(w + ".number", r.get("number"), nullable=True)
        check_text(w + ".title", r.get("title"))
        check_date(w + ".signedOn", r.get("signedOn"))
        check_date(w + ".publishedOn", r.get("publishedOn"), nullable=True)
        check_text(w + ".federalRegisterCitation", r.get("federalRegisterCitation"), nullable=True)
        check_url(w + ".url", r.get("url"), nullable=True)
        check_text(w + ".summary", r.get("summary"))
        check_sources(w, r.get("sources"))

    # withdrawals
    withdrawn_orgs = []
    for i, r in enumerate(data["withdrawals"]):
        w = f"withdrawals[{i}]({r.get('slug')})"
        if r.get("organization") not in slugs["organizations"]:
            bad(f"{w}: unknown organization {r.get('organization')!r}")
        withdrawn_orgs.append(r.get("organization"))
        if r.get("instrument") not in slugs["instruments"]:
            bad(f"{w}: unknown instrument {r.get('instrument')!r}")
        check_date(w + ".announcedOn", r.get("announcedOn"))
        check_date(w + ".effectiveOn", r.get("effectiveOn"), nullable=True)
        check_enum(w + ".withdrawalStatus", "withdrawalStatus", r.get("withdrawalStatus"))
        check_bool(w + ".fundingEnded", r.get("fundingEnded"))
        check_text(w + ".rationale", r.get("rationale"), nullable=True)
        check_text(w + ".expectedImpact", r.get("expectedImpact"), nullable=True)
        check_sources(w, r.get("sources"))
    listed = {o["slug"] for o in data["organizations"] if isinstance(o, dict) and o.get("listSection")}
    missing = listed - set(withdrawn_orgs)
    if missing:
        bad(f"withdrawals: listed organizations without a withdrawal: {sorted(missing)}")

    # stakeholders
    for i, r in enumerate(data["stakeholders"]):
        w = f"stakeholders[{i}]({r.get('slug')})"
        check_text(w + ".name", r.get("name"))
        check_enum(w + ".kind", "stakeholderKind", r.get("kind"))
        c = r.get("country")
        if c is not None and (not isinstance(c, str) or not ISO2_RE.match(c)):
            bad(f"{w}.country: {c!r} is not ISO 3166 alpha-2")
        check_text(w + ".affiliation", r.get("affiliation"), nullable=True)
        if r.get("organization") is not None and r.get("organization") not in slugs["organizations"]:
            bad(f"{w}: unknown organization {r.get('organization')!r}")
        check_sources(w, r.get("sources"))

    ref_kind = {"withdrawal": "withdrawals", "instrument": "instruments", "pact": "pacts", "organization": "organizations",
                "stakeholder": "stakeholders", "reaction": "reactions", "source": "sources"}

    # reactions
    for i, r in enumerate(data["reactions"]):
        w = f"reactions[{i}]({r.get('slug')})"
        if r.get("stakeholder") not in slugs["stakeholders"]:
            bad(f"{w}: unknown stakeholder {r.get('stakeholder')!r}")
        subj = r.get("subject")
        if not isinstance(subj, dict) or set(subj) != {"kind", "slug"}:
            bad(f"{w}.subject: must be {{kind, slug}}")
        else:
            check_enum(w + ".subject.kind", "subjectKind", subj["kind"])
            if subj["kind"] in ref_kind and subj["slug"] not in slugs[ref_kind[subj["kind"]]]:
                bad(f"{w}.subject: unknown {subj['kind']} {subj['slug']!r}")
        check_enum(w + ".stance", "stance", r.get("stance"))
        check_text(w + ".summary", r.get("summary"))
        check_date(w + ".reactedOn", r.get("reactedOn"))
        check_bool(w + ".dateApproximate", r.get("dateApproximate"))
        check_sources(w, r.get("sources"))

    # pacts
    for i, r in enumerate(data["pacts"]):
        w = f"pacts[{i}]({r.get('slug')})"
        check_text(w + ".title", r.get("title"))
        check_enum(w + ".kind", "pactKind", r.get("kind"))
        check_enum(w + ".pactStatus", "pactStatus", r.get("pactStatus"))
        check_bool(w + ".binding", r.get("binding"))
        check_date(w + ".signedOn", r.get("signedOn"), nullable=True)
        check_text(w + ".summary", r.get("summary"))
        topics = r.get("topics")
        if not isinstance(topics, list) or not topics or any(not isinstance(t, str) or not SLUG_RE.match(t) for t in topics):
            bad(f"{w}.topics: need a non-empty list of kebab-case keywords")
        parties = r.get("parties")
        if not isinstance(parties, list) or len(parties) < 2:
            bad(f"{w}.parties: need at least two parties")
            parties = []
        for j, p in enumerate(parties):
            pw = f"{w}.parties[{j}]"
            if not isinstance(p, dict) or set(p) != {"name", "code", "role", "joinedOn"}:
                bad(f"{pw}: must be {{name, code, role, joinedOn}}")
                continue
            check_text(pw + ".name", p["name"])
            if not isinstance(p["code"], str) or not ISO2_RE.match(p["code"]):
                bad(f"{pw}.code: {p['code']!r} is not ISO 3166 alpha-2")
            check_enum(pw + ".role", "partyRole", p["role"])
            check_date(pw + ".joinedOn", p["joinedOn"], nullable=True)
        if sum(1 for p in parties if isinstance(p, dict) and p.get("role") == "LEAD") != 1:
            bad(f"{w}.parties: exactly one LEAD expected")
        hist = r.get("statusHistory")
        if not isinstance(hist, list) or not hist:
            bad(f"{w}.statusHistory: must be a non-empty list")
            hist = []
        prev = None
        for j, h in enumerate(hist):
            hw = f"{w}.statusHistory[{j}]"
            if not isinstance(h, dict) or set(h) != {"pactStatus", "on", "note"}:
                bad(f"{hw}: must be {{pactStatus, on, note}}")
                continue
            check_enum(hw + ".pactStatus", "pactStatus", h["pactStatus"])
            check_date(hw + ".on", h["on"])
            check_text(hw + ".note", h["note"])
            if prev and is_date(h["on"]) and h["on"] < prev:
                bad(f"{hw}: statusHistory not in date order")
            prev = h["on"] if is_date(h["on"]) else prev
        if hist and isinstance(hist[-1], dict) and hist[-1].get("pactStatus") != r.get("pactStatus"):
            bad(f"{w}: pactStatus differs from the latest statusHistory entry")
        reps = r.get("replaces")
        if not isinstance(reps, list):
            bad(f"{w}.replaces: must be a list")
            reps = []
        for j, rp in enumerate(reps):
            rw = f"{w}.replaces[{j}]"
            if not isinstance(rp, dict) or set(rp) != {"kind", "slug", "note", "confidence"}:
                bad(f"{rw}: must be {{kind, slug, note, confidence}}")
                continue
            check_enum(rw + ".kind", "replacesKind", rp["kind"])
            if rp["kind"] in ref_kind and rp["slug"] not in slugs[ref_kind[rp["kind"]]]:
                bad(f"{rw}: unknown {rp['kind']} {rp['slug']!r}")
            check_text(rw + ".note", rp["note"])
            check_enum(rw + ".confidence", "confidence", rp["confidence"])
        check_sources(w, r.get("sources"))

    # corrections
    for i, r in enumerate(data["corrections"]):
        w = f"corrections[{i}]({r.get('slug')})"
        check_text(w + ".claim", r.get("claim"))
        check_text(w + ".claimedIn", r.get("claimedIn"))
        cs = r.get("claimSource")
        if cs is not None:
            if cs not in slugs["sources"]:
                bad(f"{w}.claimSource: unknown source {cs!r}")
            used_sources.add(cs)
        check_enum(w + ".verdict", "verdict", r.get("verdict"))
        check_text(w + ".finding", r.get("finding"))
        conc = r.get("concerns")
        if not isinstance(conc, list) or not conc:
            bad(f"{w}.concerns: must be a non-empty list")
            conc = []
        for j, c in enumerate(conc):
            cw = f"{w}.concerns[{j}]"
            if not isinstance(c, dict) or set(c) != {"kind", "slug"}:
                bad(f"{cw}: must be {{kind, slug}}")
                continue
            check_enum(cw + ".kind", "concernKind", c["kind"])
            if c["kind"] in ref_kind and c["slug"] not in slugs[ref_kind[c["kind"]]]:
                bad(f"{cw}: unknown {c['kind']} {c['slug']!r}")
        check_sources(w, r.get("sources"))

    unused = slugs["sources"] - used_sources
    if unused:
        bad(f"sources never referenced: {sorted(unused)}")

    # required counts
    orgs = [o for o in data["organizations"] if isinstance(o, dict)]
    n_non_un = sum(1 for o in orgs if o.get("listSection") == "NON_UN")
    n_un = sum(1 for o in orgs if o.get("listSection") == "UN")
    if (n_non_un, n_un) != (35, 31):
        bad(f"organizations: expected 35 NON_UN + 31 UN listed, got {n_non_un} + {n_un}")
    if len(data["withdrawals"]) != 69:
        bad(f"withdrawals: expected 69, got {len(data['withdrawals'])}")

    print("counts:")
    for k in KINDS:
        print(f"  {k}: {len(data[k])}")
    print(f"  organizations on the 7 Jan 2026 list: {n_non_un + n_un} ({n_non_un} NON_UN + {n_un} UN)")
    if problems:
        print(f"FAIL: {len(problems)} problem(s)")
        for p in problems:
            print("  - " + p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
