#!/usr/bin/env python3
"""Derives this crate's two CAMEO tables from the shared data packs.

    python3 data/make_data.py ../../../shared/data   # from plugins/factql-extractor-events

- `cameo_codes.tsv`: code, name, quad class, Goldstein value, from
  `cameo/cameo_event_codes.tsv` (MIT, gdelt-py; see NOTICE.md).
- `cameo_verbs.tsv`: every single- or multi-word verb form of the verb blocks of
  `petrarch2/CAMEO.2.0.txt` (MIT, Open Event Data Alliance) with the CAMEO code of its block (or its
  own), its forms generated the way PETRARCH generates regular forms when the dictionary gives none.
  Blocks without a code (`[---]`) and codes of the passive/reverse kind (`[:020]`) are left out; the
  phrase patterns (`- * SANCTIONS [163]`) are not used.
"""
import re
import sys
from pathlib import Path

shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../../../shared/data")
here = Path(__file__).parent

with open(here / "cameo_codes.tsv", "w") as out:
    out.write("code\tname\tquad_class\tgoldstein\n")
    lines = (shared / "cameo/cameo_event_codes.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        out.write(f"{row['code']}\t{row['name']}\t{row['quad_class']}\t{row['goldstein']}\n")


def regular(word):
    """base, 3rd person, past, gerund, as PETRARCH makes regular verb forms."""
    if word.endswith("E"):
        return [word, word + "S", word + "D", word[:-1] + "ING"]
    if word.endswith(("S", "SH", "CH", "X", "Z")):
        return [word, word + "ES", word + "ED", word + "ING"]
    if word.endswith("Y") and len(word) > 1 and word[-2] not in "AEIOU":
        return [word, word[:-1] + "IES", word[:-1] + "IED", word + "ING"]
    return [word, word + "S", word + "ED", word + "ING"]


text = (shared / "petrarch2/CAMEO.2.0.txt").read_text()
verbs = text.split("####### VERB PATTERNS #######", 1)[1]
block_code = None
block = None
rows = {}
# Blocks and forms whose default code only holds with one of PETRARCH's phrase patterns (which
# this crate does not use): out of context they mislead ("engage with" is not a battle, "face
# isolation" no meeting, "give" or "lead" no material cooperation).
SKIP_BLOCKS = {"engage", "grant", "oversee_manage", "observe", "search", "explain_verbal", "emphasize"}
SKIP_WORDS = {"FACE", "BRAVE", "CONFRONT", "ENCOUNTER", "ENGAGE", "YIELD", "ALLOW"}
header_re = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]\s+---")
for raw in verbs.splitlines():
    line = raw.split("#", 1)[0].rstrip()
    m = header_re.match(line)
    if m:
        block, block_code = m.group(1), m.group(2)
        continue
    if not line.strip() or line.startswith("-") or block is None:
        continue
    m = re.match(r"^(\+?)([A-Z_'\-]+)\s*(\{[^}]*\})?\s*(\[[^\]]*\])?", line.strip())
    if not m:
        continue
    multi, word, irregular, own = m.groups()
    code = own[1:-1] if own else block_code
    code = code.split(":")[0].strip()
    if not code or code == "---" or not code.isdigit():
        continue
    if block.lower() in SKIP_BLOCKS or word in SKIP_WORDS:
        continue
    base = word.rstrip("_").split("_")
    if irregular:
        forms = [f.lstrip("+").rstrip("_").split("_") for f in irregular[1:-1].split()]
        forms = [base] + forms
    else:
        forms = [[w] + base[1:] for w in regular(base[0])]
    for form in forms:
        phrase = " ".join(form).lower()
        if len(phrase) < 3 or not re.fullmatch(r"[a-z' \-]+", phrase):
            continue
        rows.setdefault(phrase, (code, block.lower()))

with open(here / "cameo_verbs.tsv", "w") as out:
    out.write("form\tcode\tblock\n")
    for phrase in sorted(rows):
        code, blk = rows[phrase]
        out.write(f"{phrase}\t{code}\t{blk}\n")
print(f"{len(rows)} verb forms")
