#!/usr/bin/env python3
"""Cold-start figures of `factql query`: time to the first row, total time, peak RSS.

    scripts/start-time.py [--factql target/release/factql] [--runs 3] DB [QUERY ...]

Runs each query (default: the five queries of the engine benchmark and a `has` search) as a
fresh process RUNS times under /usr/bin/time and prints the medians as a Markdown table:
the time from the start to the first line on stdout (the first row of the table, after its
header), the time to the exit, and the peak resident set. Whether the image was used shows
in the `note:` lines factql prints on stderr (printed once per query when present).
Build first: cargo build --release -p factql
"""
import argparse
import statistics
import subprocess
import time

QUERIES = [
    'mentions | where kind == "person" | summarize articles = dcount(article) by who = entity.name | top 10 by articles',
    'match (p:person) -[c:near sentence]- (l:person "Alexander Lukashenko") | where p != l | summarize n = count() by p.name | top 20 by n',
    'events | where type == "invite" and date in @2023 and actor.name == "Viktor Orban" | select inviter = actor.name, invitee = target.name, date | sort by date desc',
    'match (a:article) -[:mentions]-> (:place "Belarus"), (a) -[:mentions]-> (:place "Hungary") | summarize n = count()',
    'events | where date in @2022 | summarize n = count() by month = bin(date, 1mo), type | sort by month',
    'articles | where text has "sanctions" | summarize n = count()',
]


def run(factql, db, query):
    started = time.monotonic()
    child = subprocess.Popen(
        ["/usr/bin/time", "-f", "maxrss_kb=%M", factql, "query", "--db", db, query],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = None
    lines = 0
    for _ in child.stdout:
        lines += 1
        # The table's header and rule come first; the first row is the third line.
        if first is None and lines >= 3:
            first = time.monotonic() - started
    err = child.stderr.read()
    child.wait()
    total = time.monotonic() - started
    rss = next((int(l.split("=")[1]) for l in err.splitlines() if l.startswith("maxrss_kb=")), 0)
    notes = [l for l in err.splitlines() if l.startswith("note:") or l.startswith("error")]
    return (first if first is not None else total), total, rss, notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--factql", default="target/release/factql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("db")
    parser.add_argument("queries", nargs="*")
    args = parser.parse_args()
    print("| query | first row | exit | peak RSS |\n|---|---:|---:|---:|")
    for query in args.queries or QUERIES:
        samples = [run(args.factql, args.db, query) for _ in range(args.runs)]
        for note in {n for s in samples for n in s[3]}:
            print(f"<!-- {note} -->")
        first = statistics.median(s[0] for s in samples)
        total = statistics.median(s[1] for s in samples)
        rss = statistics.median(s[2] for s in samples)
        print(f"| `{query[:60]}` | {first:.2f} s | {total:.2f} s | {rss / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
