#!/usr/bin/env python3
"""Regenerate the compact gazetteer files in ../data/ from the shared data packs.

Usage (from the repository root, with ../shared beside it):

    python3 plugins/factql-extractor-entities/scripts/build_data.py ../shared/data

Every output is a UTF-8 TSV without quoting, `|` between the values of a multi-valued cell, sorted so
that a rerun gives the same bytes. The licences of the sources are copied next to the outputs
(see data/README.md). Folding (case, diacritics) is NOT done here: the Rust loader folds, so the
folding rule lives in one place.
"""
import json
import re
import shutil
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "data"


SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss", "đ": "d", "Đ": "d",
                         "ı": "i", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"})


def fold(s):
    """As the Rust loader folds: special letters, then NFD without combining marks, lower case."""
    s = unicodedata.normalize("NFD", s.translate(SPECIAL))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.lower()


def latin(s):
    """True when every letter of s is Latin (after removing diacritics)."""
    for c in fold(s):
        if c.isalpha() and not ("a" <= c <= "z"):
            return False
    return any(c.isalpha() for c in s)


def tsv_rows(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            cells = line.rstrip("\n").split("\t")
            cells += [""] * (len(header) - len(cells))
            yield dict(zip(header, cells))


def write_tsv(name, header, rows):
    rows = sorted(set(tuple(r) for r in rows))
    with open(OUT / name, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{name}: {len(rows)} rows", file=sys.stderr)


# ---------------------------------------------------------------- common words
def common_words(data):
    """Lower-case words that are ordinary English words, from the training corpora's own casing.

    A word is common when, away from the start of a sentence, it is written lower-case at least
    as often as capitalised (and seen lower-case at least twice), in the edited corpora
    (wikigold, SEC filings, re3d, GUM), plus the words of the VADER sentiment lexicon.
    """
    low, cap = Counter(), Counter()
    for corpus in ["wikigold", "sec_filings", "re3d", "gum"]:
        first = True
        for line in open(data / "ner" / f"{corpus}.conll", encoding="utf-8"):
            line = line.rstrip("\n")
            if not line or line == "-DOCSTART-":
                first = True
                continue
            tok = line.split("\t")[0]
            if not first and tok.isalpha():
                if tok.islower():
                    low[tok] += 1
                elif tok[0].isupper() and not tok.isupper():
                    cap[tok.lower()] += 1
            first = False
    words = {w for w, n in low.items() if n >= 2 and n >= cap[w]}
    for line in open(data / "vader" / "vader_lexicon.txt", encoding="utf-8"):
        cells = line.split("\t")
        # clearly valenced words only: the lexicon also lists slang and a few place names
        if cells[0].isalpha() and cells[0].islower() and len(cells[0]) > 2 and abs(float(cells[1])) >= 1.0:
            words.add(cells[0])
    return words


# ---------------------------------------------------------------- places
def countries(data, common):
    rows, regions = [], defaultdict(set)
    for r in tsv_rows(data / "countries" / "countries_gazetteer.tsv"):
        names = [r["official_name"]] + r["aliases"].split("|")
        names = [n for n in names if n and latin(n) and "," not in n and n != r["name"]]
        if len(r["iso2"]) == 2:
            # Two-letter codes are only names for a few (UK, US): the code is kept as an
            # upper-case-only alias when the gazetteer itself lists it as a spelling.
            pass
        dems = [d for d in r["demonyms"].split("|") if d]
        plur = []
        for d in dems:
            if d.endswith(("ese", "ss", "sh", "ch", "s", "i")) or " " in d:
                continue
            plur.append(d + "s")
        rows.append((r["iso3"], r["name"], "|".join(sorted(set(names))), "|".join(dems + plur),
                     r["capitals"].split("|")[0], r["un_member"]))
        for reg in (r["region"], r["subregion"]):
            if reg and reg not in ("Americas",):
                regions[reg].add(r["iso3"])
    # Short forms news uses for a few countries that the pack drops with the ISO codes (our own
    # addition): written in capitals only, so "US" never matches "us".
    extra = {"USA": ["US", "U.S.", "USA", "U.S.A."], "GBR": ["UK", "U.K."], "ARE": ["UAE", "U.A.E."],
             "COD": ["DRC"], "PRK": ["DPRK"]}
    rows = [(r[0], r[1], "|".join(sorted(set(filter(None, r[2].split("|") + extra.get(r[0], []))))), *r[3:])
            for r in rows]
    write_tsv("countries.tsv", ["iso3", "name", "aliases", "demonyms", "capital", "un_member"], rows)
    # Regions (the pack's region and subregion names) with the countries they hold; a few
    # continent names and political groups that are not regions of the pack are our own additions.
    rrows = [(name, "", "|".join(sorted(isos))) for name, isos in regions.items()]
    rrows += [(n, "", "") for n in ["North America", "South America", "Latin America", "Middle East",
                                    "Scandinavia", "Balkans", "Caucasus", "Sahel", "Antarctica"]]
    write_tsv("regions.tsv", ["name", "demonyms", "countries"], rrows)
    # Groups: the political West (not Western Sahara). Our own addition, public domain.
    write_tsv("groups.tsv", ["name", "aliases", "demonyms"], [("the West", "West", "Western")])


def cities(data, common):
    alts = {}
    for r in tsv_rows(data / "geonames" / "cities100000_altnames.tsv"):
        keep = set()
        for a in r["alternatenames"].split("|"):
            a = a.strip()
            # Latin-script alternate names of at least 4 letters that are not all capitals (codes
            # such as "SHA") and not ordinary words.
            if len(a) >= 4 and latin(a) and not a.isupper() and a[0].isupper() \
                    and fold(a) not in common and not any(ch.isdigit() for ch in a):
                keep.add(a)
        alts[r["geonameid"]] = keep
    rows = []
    for r in tsv_rows(data / "geonames" / "cities15000.tsv"):
        name = r["name"]
        if not latin(name):
            continue
        pop = int(r["population"] or 0)
        single = " " not in name
        if single and fold(name) in common:
            continue
        a = sorted(x for x in alts.get(r["geonameid"], ()) if x != name)
        rows.append((r["geonameid"], name, r["country_code"], str(pop), "|".join(a)))
    write_tsv("cities.tsv", ["geonameid", "name", "country_code", "population", "altnames"], rows)


def merge(rows, key_fns):
    """Union rows (canonical, set(variants), *rest) that share a key; the first row of a group wins."""
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen = {}
    for i, r in enumerate(rows):
        for form in [r[0], *r[1]]:
            for k in key_fns(form):
                if k in seen:
                    a, b = find(seen[k]), find(i)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                else:
                    seen[k] = i
    groups = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(rows[i])
    return list(groups.values())


# ---------------------------------------------------------------- people
ROLE_TOKENS = {"MINISTER", "PRESIDENT", "SECRETARY", "CHIEF", "GENERAL", "LEADER", "KING", "QUEEN",
               "PRIME", "FOREIGN", "AMBASSADOR", "SENATOR", "GOVERNOR", "CHAIRMAN", "SPEAKER",
               "PM", "ENVOY", "MAYOR", "COMMANDER", "PRINCE", "SHEIKH", "SHEIK", "EMIR", "SULTAN",
               "PRES", "SEC", "DR", "MR", "MRS", "MS", "GEN", "COL", "DEPUTY", "VICE", "FORMER",
               "SUPREME", "HEAD", "DIRECTOR", "POPE", "CARDINAL", "BISHOP", "JUDGE", "JUSTICE"}


def title_case(words):
    small = {"of", "the", "and", "for", "de", "del", "da", "di", "du", "la", "le", "von", "van",
             "der", "al", "bin", "ibn", "on", "in", "to", "at", "y"}
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if i > 0 and lw in small:
            out.append(lw)
        elif len(words) == 1 and len(w) <= 5 and w.isalpha():
            out.append(w.upper())  # acronym such as UN, NATO
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def petrarch_blocks(path):
    """Yield (names, codes) per entry of a PETRARCH actor dictionary."""
    names, codes = [], []
    for raw in open(path, encoding="utf-8", errors="replace"):
        line = raw.split("#")[0].rstrip()
        if not line.strip():
            continue
        if line[0] in " \t":
            codes += re.findall(r"\[([^\]]*)\]", line)
            continue
        if line.startswith("+"):
            n = line[1:].strip()
            codes += re.findall(r"\[([^\]]*)\]", n)
            n = re.sub(r"\[.*", "", n).strip()
            if n:
                names.append(n)
            continue
        if names:
            yield names, codes
        head = re.sub(r"\[.*", "", line).strip()
        names, codes = [head] if head else [], re.findall(r"\[([^\]]*)\]", line)
    if names:
        yield names, codes


def petrarch_name(n):
    n = n.strip().strip("_")
    if n.startswith("THE_"):
        n = n[4:]
    if "(" in n or "!" in n or "+" in n or ":" in n:
        return None
    words = [w for w in n.split("_") if w]
    if not words or len(words) > 7:
        return None
    return words


# Words that make a name an organisation, a state or a place, never a person: PETRARCH's person
# blocks include some armed groups, parties and states (with their leaders as the aliases), and a
# Factbook row or two carries a whole title ("Chair ... of the Sudanese Armed Forces ...").
NOT_PERSON_WORDS = {"state", "states", "brigade", "brigades", "army", "front", "coalition", "party",
                    "movement", "council", "forces", "group", "organization", "organisation",
                    "union", "committee", "republic", "government", "ministry", "league", "jaish",
                    "jaysh", "liwa", "ansar", "timor", "leste", "islamic", "national", "battalion",
                    "chair", "commander", "commander-in-chief", "krajina", "soviet"}


def person_like(name):
    return not NOT_PERSON_WORDS & set(fold(name).replace("_", " ").split())


def people(data, common):
    by_key = {}  # canonical -> [variants, country, rank]

    def add(canonical, variants, country, rank):
        if not person_like(canonical):
            return
        variants = [v for v in variants if person_like(v)]
        key = fold(canonical)
        e = by_key.setdefault(key, [canonical, set(), country, rank])
        e[1].update(v for v in variants if v and v != e[0])
        if rank > e[3]:
            e[3] = rank
            e[2] = country or e[2]

    def clean(n):
        n = re.sub(r"\s*\(.*?\)", "", n).strip()
        n = re.sub(r",? (Jr\.|Sr\.|II|III)$", "", n)
        return " ".join(w if not w.isupper() or len(w) <= 2 else
                        "-".join(p[:1] + p[1:].lower() for p in w.split("-")) for w in n.split())

    for r in tsv_rows(data / "people" / "factbook_leaders_history.tsv"):
        disp = clean(r["name_display"])
        if not disp or not latin(disp) or len(disp.split()) < 2:
            continue
        variants = [clean(v) for v in r["name_variants"].split("|")]
        # rank: the later a person was last seen as a leader, the more likely a bare surname means them
        rank = int(r["last_seen"][:4] or 2015) * 10 + (5 if r["current"] == "1" else 0) + int(r["primary"] or 0)
        add(disp, variants, r["iso2_from_tld"], rank)

    # US presidents and vice presidents
    cur = {}
    for line in open(data / "people" / "us_executive.yaml", encoding="utf-8"):
        m = re.match(r"\s+(first|last|nickname|middle|official_full): (.*)", line)
        if line.startswith("- id:"):
            if "first" in cur and "last" in cur:
                full = cur.get("official_full") or f"{cur['first']} {cur['last']}"
                v = [f"{cur['first']} {cur['last']}"]
                if "nickname" in cur:
                    v.append(f"{cur['nickname']} {cur['last']}")
                add(full.strip("'\""), [x.strip("'\"") for x in v], "US", int(cur.get("end", "1900")[:4]) * 10)
            cur = {}
        elif m:
            cur[m.group(1)] = m.group(2).strip().strip("'\"")
        else:
            m = re.match(r"\s+end: '(\d{4})", line)
            if m:
                cur["end"] = max(cur.get("end", "0"), m.group(1))
    if "first" in cur and "last" in cur:
        add(f"{cur['first']} {cur['last']}", [], "US", int(cur.get("end", "1900")[:4]) * 10)

    # PETRARCH persons: entries whose codes carry dates (role periods)
    for f in ["Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt"]:
        for names, codes in petrarch_blocks(data / "petrarch2" / f):
            if not any(re.search(r"\d{6}", c) for c in codes):
                continue
            words = petrarch_name(names[0])
            if not words or len(words) < 2 or any(w in ROLE_TOKENS for w in words):
                continue
            canonical = title_case(words)
            vs = []
            for n in names[1:]:
                w = petrarch_name(n)
                if w and len(w) >= 2 and not any(x in ROLE_TOKENS for x in w):
                    vs.append(title_case(w))
            country = ""
            years = [int(y[:2]) for c in codes for y in re.findall(r"(?:>|-)(\d{6})", c)]
            last = max(years) if years else 0
            last = (2000 + last) if last < 30 else (1900 + last)
            for c in codes:
                if re.match(r"[A-Z]{3}", c):
                    country = c[:3]
                    break
            add(canonical, vs, country, last * 10 - 1)
    # Rows from different sources are the same person only when they share a whole name form
    # ("Gerhard Schroeder" as a PETRARCH alias of the Factbook's "Gerhard Schroder"). A weaker key
    # such as first initial + surname chains different people together through union-find
    # (every "A. ... Ali" became one person), and a stranger sharing a leader's surname and
    # initial would then be linked to that leader.
    def person_keys(form):
        w = fold(form).replace(".", "").split()
        return [" ".join(w)] if len(w) >= 2 else []

    roles = {r.lower() for r in ROLE_TOKENS}
    items = sorted(by_key.values(), key=lambda e: -e[3])
    rows = []
    for group in merge(items, person_keys):
        canonical, variants, country, rank = group[0]
        vs = set()
        for g in group:
            vs.add(g[0])
            vs.update(g[1])
        vs = {v for v in vs if v != canonical and not roles & set(re.split(r"[\s-]+", fold(v)))}
        rows.append((canonical, "|".join(sorted(vs)), country, str(rank)))
    write_tsv("people.tsv", ["name", "variants", "country", "rank"], rows)


# ---------------------------------------------------------------- organisations
def country_key(name):
    return " ".join(fold(name).replace("-", " ").replace("_", " ").split())


def orgs(data, common):
    rows = []
    # countries.tsv, written before this: a PETRARCH block naming a state is not an organisation
    country_names = set()
    for r in tsv_rows(OUT / "countries.tsv"):
        for n in [r["name"], *r["aliases"].split("|")]:
            if n:
                country_names.add(country_key(n))
    files = ["Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt",
             "Phoenix.Countries.actors.txt"]
    for f in files:
        for names, codes in petrarch_blocks(data / "petrarch2" / f):
            ws = [w for w in (petrarch_name(n) for n in names) if w]
            dated = any(re.search(r"\d{6}", c) for c in codes)
            if dated:
                # a person, a state, or an armed group or party listed with its leaders: keep
                # the group's own names (its head's first word, an organisation word, an acronym)
                if not ws or person_like(" ".join(ws[0])):
                    continue
                if any(country_key(" ".join(w)) in country_names for w in ws):
                    continue
                ws = [w for w in ws if w[0] == ws[0][0] or not person_like(" ".join(w))
                      or (len(w) == 1 and len(w[0]) <= 5)]
            elif f == "Phoenix.Countries.actors.txt":
                continue  # countries and their government phrases: not organisations
            if not ws:
                continue
            forms = [title_case(w) for w in ws]
            # the entry's head names it; an acronym head gives way to its longest spelled form
            canonical = forms[0]
            if len(canonical) <= 5 and canonical.isupper():
                canonical = max(forms, key=lambda s: (len(s.split()) <= 6, len(s)))
            forms = [x for x in forms if x != canonical and not (" " not in x and fold(x) in common)]
            if " " not in canonical and fold(canonical) in common:
                continue
            rows.append((canonical, "|".join(sorted(set(forms))), "org"))
    for r in tsv_rows(data / "orgs" / "compromise_names.tsv"):
        if r["kind"] in ("organization", "sports_team"):
            n = r["name"]
            if " " not in n and fold(n) in common:
                continue
            rows.append((title_case(n.split()), "", "club" if r["kind"] == "sports_team" else "org"))
    for r in tsv_rows(data / "orgs" / "sp500_companies.tsv"):
        n = re.sub(r",? (Inc\.?|Corp\.?|Co\.|Corporation|Company|plc|Ltd\.?)$", "", r["name"]).strip()
        if " " not in n and fold(n) in common:
            continue
        rows.append((n, r["name"] if r["name"] != n else "", "org"))
    def org_keys(form):
        return [fold(form)]

    groups = merge([(c, set(a.split("|")) - {""}, k) for c, a, k in rows], org_keys)
    rows = []
    for group in groups:
        canonical, _, kind = group[0]
        vs = set()
        for g in group:
            vs.add(g[0])
            vs.update(g[1])
        vs.discard(canonical)
        rows.append((canonical, "|".join(sorted(vs)), kind))
    # Acronyms of organisations named by three or more capitalised words ("World Health
    # Organization" -> "WHO"), kept when no other organisation has the same initials.
    acr = defaultdict(list)
    for k, (canonical, aliases, kind) in enumerate(rows):
        if kind != "org":
            continue
        words = [w for w in re.split(r"[\s-]+", canonical) if w]
        caps = [w for w in words if w[:1].isupper()]
        if len(caps) >= 3 and len(caps) == len([w for w in words if w.lower() not in
                                                ("of", "the", "and", "for", "on", "in", "de")]):
            acr["".join(w[0] for w in caps).upper()].append(k)
    for a, ks in acr.items():
        if len(ks) == 1 and len(a) >= 3:
            canonical, aliases, kind = rows[ks[0]]
            if a not in aliases.split("|"):
                rows[ks[0]] = (canonical, "|".join(filter(None, aliases.split("|") + [a])), kind)
    clubs = defaultdict(set)
    for r in tsv_rows(data / "orgs" / "football_clubs.tsv"):
        if not latin(r["name"]):
            continue
        clubs[r["club"]].add(r["name"])
    for club, names in clubs.items():
        names = {n for n in names if n != club and len(n) >= 3}
        rows.append((club, "|".join(sorted(names)), "club"))
    # rank: how many names the data knows for it (a rough fame measure: Arsenal FC has more
    # aliases than Arsenal de Sarandi)
    # and a club whose name is its short form plus an affix (Liverpool FC for "Liverpool")
    # before one that only shares the word (Liverpool Montevideo)
    affix = {"fc", "cf", "afc", "sc", "ac", "ssc", "sv", "fk", "cd", "ca", "sk", "bk", "if", "club",
             "football", "calcio", "1", "04", "09"}

    def rank(c, a):
        names = [x for x in a.split("|") if x]
        core = " ".join(w for w in c.split() if fold(w) not in affix)
        return 100 * (core != c and core in names) + len(names)

    rows = [(c, a, k, str(rank(c, a))) for c, a, k in rows]
    write_tsv("orgs.tsv", ["name", "aliases", "kind", "rank"], rows)


# ---------------------------------------------------------------- names and words
def names(data, common):
    first = Counter()
    for r in tsv_rows(data / "people" / "first_names_us_ssa_1880_2015.tsv"):
        first[r["name"]] += int(r["births"])
    firsts = [n for n, c in first.items() if c >= 2000]
    for r in tsv_rows(data / "orgs" / "compromise_names.tsv"):
        if r["kind"].startswith("first_name"):
            firsts.append(r["name"].title())
    rows = [(fold(n), "first") for n in firsts]
    for r in tsv_rows(data / "people" / "surnames_us_census1990.tsv"):
        if int(r["rank"]) <= 20000:
            rows.append((fold(r["name"]), "last"))
    for r in tsv_rows(data / "orgs" / "compromise_names.tsv"):
        if r["kind"] == "last_name":
            rows.append((fold(r["name"]), "last"))
        elif r["kind"] == "honorific" and " " not in r["name"]:
            rows.append((fold(r["name"]), "title"))
        elif r["kind"] == "demonym":
            rows.append((fold(r["name"]), "demonym"))
        elif r["kind"] == "org_word":
            rows.append((fold(r["name"]), "orgword"))
    for line in open(data / "petrarch2" / "Phoenix.agents.txt", encoding="utf-8", errors="replace"):
        line = line.split("#")[0]
        m = re.match(r"([A-Z][A-Z_]*[A-Z])\s*\[~", line)
        if m and "_" not in m.group(1):
            rows.append((m.group(1).lower(), "role"))
    # language names are nationality-like adjectives (English, Spanish), not names
    for c in json.load(open(data / "countries" / "countries.json", encoding="utf-8")):
        for lang in (c.get("languages") or {}).values():
            if " " not in lang and latin(lang):
                rows.append((fold(lang), "demonym"))
    rows += [(w, "common") for w in common]
    write_tsv("words.tsv", ["word", "class"], rows)


def main():
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    OUT.mkdir(exist_ok=True)
    common = common_words(data)
    countries(data, common)
    cities(data, common)
    people(data, common)
    orgs(data, common)
    names(data, common)
    for src, dst in [("countries/LICENSE.ODbL", "LICENSE.ODbL"),
                     ("countries/NOTICE.md", "NOTICE.countries.md"),
                     ("geonames/NOTICE.md", "NOTICE.geonames.md"),
                     ("petrarch2/LICENSE", "LICENSE.petrarch2"),
                     ("petrarch2/NOTICE.md", "NOTICE.petrarch2.md"),
                     ("people/NOTICE.md", "NOTICE.people.md"),
                     ("orgs/NOTICE.md", "NOTICE.orgs.md"),
                     ("orgs/LICENSE.compromise", "LICENSE.compromise"),
                     ("orgs/LICENSE.openfootball-CC0", "LICENSE.openfootball-CC0"),
                     ("orgs/LICENSE.s-and-p-500-PDDL", "LICENSE.s-and-p-500-PDDL"),
                     ("vader/LICENSE", "LICENSE.vader"),
                     ("ner/NOTICE.md", "NOTICE.ner.md"),
                     ("ner/licenses.tsv", "ner_licenses.tsv")]:
        shutil.copyfile(data / src, OUT / dst)


if __name__ == "__main__":
    main()
