#!/usr/bin/env python3
"""Writes leaders.tsv from the CIA World Factbook leader history (public domain / CC0).

Usage: python3 make_leaders.py ../../../../shared/data/people/factbook_leaders_history.tsv > leaders.tsv

Keeps the office holders (primary = 1) of both offices, with the columns the roles extractor
reads: country, office (head_of_state, head_of_government), title, display name, every
spelling seen, since, end (blank when current or unknown).
"""
import csv
import sys

OFFICE = {"chief_of_state": "head_of_state", "head_of_government": "head_of_government"}

rows = []
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        if r["primary"] != "1" or not r["country"] or r["role"] not in OFFICE:
            continue
        variants = [v.strip() for v in r["name_variants"].split("|") if v.strip()]
        rows.append((r["country"], OFFICE[r["role"]], r["title"], r["name_display"],
                     "|".join(variants), r["since"], r["end"]))
rows.sort()
print("country\toffice\ttitle\tname\tvariants\tsince\tend")
for row in rows:
    print("\t".join(row))
