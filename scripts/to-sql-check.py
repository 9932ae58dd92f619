#!/usr/bin/env python3
"""Runs queries natively and as SQL over a Parquet export, and compares the rows.

    scripts/to-sql-check.py --db STORE --export DIR [--factql BIN] [--engine duckdb|datafusion] QUERIES

QUERIES is a file of one query per line. Each query runs as `factql query --format csv` on
STORE and, compiled with `factql query --to-sql --dialect ENGINE`, on the export DIR (the
layout of docs/export.md: `DIR/<table>/pub_month=*/...parquet`, `DIR/entities/*.parquet`)
through the `duckdb` or `datafusion` Python package. Rows are compared as multisets, floats
to 6 significant digits and list elements sorted; a line per query says EQUAL, DIFFER (with
examples), REFUSED (the compiler's E0900) or ERROR (the engine's message). Needs
`pip install duckdb datafusion`. A by-hand check until the conformance test exists: the
differences docs/scale-out.md announces (ties at a `top` boundary, dates shown as their first
day) show as DIFFER.
"""
import argparse, csv, io, os, subprocess, sys
from collections import Counter


def tables(root):
    """(name, path, partitioned) for every table directory of the export."""
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(path):
            parts = any(d.startswith("pub_month=") for d in os.listdir(path))
            yield name, path, parts


def duckdb_runner(root):
    import duckdb
    db = duckdb.connect()
    for name, path, parts in tables(root):
        if parts:
            db.execute(f"""CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}/*/*.parquet',
                hive_partitioning = true, hive_types = {{'pub_month': VARCHAR}})""")
        else:
            db.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}/*.parquet')")
    return lambda sql: db.execute(sql).fetchall()


def datafusion_runner(root):
    import datafusion, pyarrow as pa
    ctx = datafusion.SessionContext()
    for name, path, parts in tables(root):
        cols = [("pub_month", pa.string())] if parts else []
        ctx.register_parquet(name, path + "/", table_partition_cols=cols)
    return lambda sql: [tuple(r.values()) for r in ctx.sql(sql.rstrip().rstrip(";")).to_pylist()]


def norm(v):
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(sorted(norm(x) for x in v)) + "]"
    if isinstance(v, str):
        if v.startswith("[") and v.endswith("]"):
            return "[" + ", ".join(sorted(x.strip() for x in v[1:-1].split(",") if x.strip())) + "]"
        try:
            if "." in v or "e" in v:
                return f"{float(v):.6g}"
        except ValueError:
            pass
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--export", required=True)
    ap.add_argument("--factql", default="target/debug/factql")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "datafusion"])
    ap.add_argument("queries")
    args = ap.parse_args()
    run = (duckdb_runner if args.engine == "duckdb" else datafusion_runner)(args.export)
    counts = Counter()
    for q in [l for l in open(args.queries).read().splitlines() if l.strip() and not l.startswith("#")]:
        base = [args.factql, "--db", args.db, "query"]
        native = subprocess.run(base + ["--format", "csv", q], capture_output=True, text=True)
        sql = subprocess.run(base + ["--to-sql", "--dialect", args.engine, q], capture_output=True, text=True)
        if sql.returncode != 0:
            first = (sql.stderr.splitlines() or [""])[0]
            verdict = "REFUSED" if "E0900" in sql.stderr else "NOCHECK"
            print(f"{verdict}  {q}\n    {first}")
            counts[verdict] += 1
            continue
        want = Counter(tuple(norm(x) for x in r) for r in list(csv.reader(io.StringIO(native.stdout)))[1:])
        try:
            got = Counter(tuple(norm(x) for x in r) for r in run(sql.stdout))
        except Exception as e:  # the engine's own error, shown as it gives it
            print(f"ERROR    {q}\n    {str(e).splitlines()[0]}")
            counts["ERROR"] += 1
            continue
        if want == got:
            print(f"EQUAL    {q}  ({sum(want.values())} rows)")
            counts["EQUAL"] += 1
        else:
            print(f"DIFFER   {q}  (native {sum(want.values())} rows, sql {sum(got.values())})")
            print("    native only:", sorted((want - got).elements())[:3])
            print("    sql only:   ", sorted((got - want).elements())[:3])
            counts["DIFFER"] += 1
    print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
