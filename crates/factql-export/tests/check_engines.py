#!/usr/bin/env python3
"""Reads a factql Parquet export (docs/export.md) with DuckDB and DataFusion and checks
types, row counts, dates and partitions against what the Rust test expects.

    check_engines.py DIR EXPECTED.json [duckdb] [datafusion] [spark]

EXPECTED.json: {"rows": {table: n}, "articles": {id: {"pub_date": "YYYY-MM-DD" | null,
"pub_month": "YYYY-MM" | "undated"}}, "sentence": {"article_id", "sentence_idx", "text"}}.
The table list, column names and types come from DIR/_factql_schema.json. Prints one line
per engine and exits 1 with the differences when anything is off.
"""

import json
import sys

DIR, EXPECTED = sys.argv[1], sys.argv[2]
ENGINES = sys.argv[3:] or ["duckdb", "datafusion"]
schema = json.load(open(f"{DIR}/_factql_schema.json"))
expected = json.load(open(EXPECTED))
failures = []


def fail(engine, message):
    failures.append(f"{engine}: {message}")


def glob(table):
    return f"{DIR}/{table['name']}/*/*.parquet" if table["partitioned"] else f"{DIR}/{table['name']}/*.parquet"


# --- DuckDB -------------------------------------------------------------------------------
DUCKDB_TYPES = {
    "string": "VARCHAR", "json": "VARCHAR", "int32": "INTEGER", "int64": "BIGINT",
    "float64": "DOUBLE", "bool": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP WITH TIME ZONE",
}


def check_duckdb():
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in schema["tables"]:
        name = table["name"]
        if expected["rows"].get(name, 0) == 0:
            continue
        hive = ", hive_partitioning = true, hive_types = {'pub_month': VARCHAR}" if table["partitioned"] else ""
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob(table)}'{hive})")
        described = {row[0]: row[1] for row in con.execute(f"DESCRIBE {name}").fetchall()}
        for column in table["columns"]:
            got = described.get(column["name"])
            if got != DUCKDB_TYPES[column["type"]]:
                fail("duckdb", f"{name}.{column['name']}: {got}, expected {DUCKDB_TYPES[column['type']]}")
        if table["partitioned"] and described.get("pub_month") != "VARCHAR":
            fail("duckdb", f"{name}.pub_month: {described.get('pub_month')}")
        n = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if n != expected["rows"][name]:
            fail("duckdb", f"{name}: {n} rows, expected {expected['rows'][name]}")
    got = {
        row[0]: {"pub_date": row[1] and row[1].isoformat(), "pub_month": row[2]}
        for row in con.execute("SELECT article_id, pub_date, pub_month FROM articles").fetchall()
    }
    if got != expected["articles"]:
        fail("duckdb", f"articles' dates and partitions differ: {got} != {expected['articles']}")
    # Partition pruning: a one-month filter reads one folder.
    month = sorted(v["pub_month"] for v in expected["articles"].values())[0]
    plan = "\n".join(str(r[1]) for r in con.execute(f"EXPLAIN SELECT sum(sentence_idx) FROM mentions WHERE pub_month = '{month}'").fetchall())
    folders = len(set(p.parent for p in __import__("pathlib").Path(DIR, "mentions").glob("*/*.parquet")))
    if folders < 2 or f"Scanning Files: 1/{folders}" not in plan:
        fail("duckdb", f"a one-month filter did not prune to one folder:\n{plan}")
    # Characters, not bytes: substring on exported text.
    s = expected["sentence"]
    text = con.execute(
        "SELECT text, substring(text, 1, 5), length(text) FROM sentences WHERE article_id = ? AND sentence_idx = ?",
        [s["article_id"], s["sentence_idx"]],
    ).fetchone()
    if text != (s["text"], s["text"][:5], len(s["text"])):
        fail("duckdb", f"sentence text {text!r} != {s['text']!r}")
    ts = con.execute("SELECT typeof(published_ts), typeof(pub_date) FROM articles LIMIT 1").fetchone()
    if ts != ("TIMESTAMP WITH TIME ZONE", "DATE"):
        fail("duckdb", f"typeof: {ts}")
    return con


# --- DataFusion ---------------------------------------------------------------------------
def datafusion_type_ok(kind, arrow_type):
    t = str(arrow_type)
    return {
        "string": t in ("string", "large_string", "string_view"),
        "json": t in ("string", "large_string", "string_view"),
        "int32": t == "int32", "int64": t == "int64", "float64": t == "double", "bool": t == "bool",
        "date": t == "date32[day]", "timestamp": t == "timestamp[us, tz=UTC]",
    }[kind]


def check_datafusion():
    import datafusion

    ctx = datafusion.SessionContext()
    for table in schema["tables"]:
        name = table["name"]
        if expected["rows"].get(name, 0) == 0:
            continue
        partition = "PARTITIONED BY (pub_month)" if table["partitioned"] else ""
        ctx.sql(f"CREATE EXTERNAL TABLE {name} STORED AS PARQUET {partition} LOCATION '{DIR}/{name}/'").collect()
        df_schema = ctx.table(name).schema()
        for column in table["columns"]:
            field = df_schema.field(column["name"])
            if not datafusion_type_ok(column["type"], field.type):
                fail("datafusion", f"{name}.{column['name']}: {field.type}, expected {column['type']}")
        n = ctx.sql(f"SELECT count(*) AS n FROM {name}").to_pydict()["n"][0]
        if n != expected["rows"][name]:
            fail("datafusion", f"{name}: {n} rows, expected {expected['rows'][name]}")
    rows = ctx.sql("SELECT article_id, CAST(pub_date AS VARCHAR) AS d, CAST(pub_month AS VARCHAR) AS m FROM articles").to_pydict()
    got = {a: {"pub_date": d, "pub_month": m} for a, d, m in zip(rows["article_id"], rows["d"], rows["m"])}
    if got != expected["articles"]:
        fail("datafusion", f"articles' dates and partitions differ: {got} != {expected['articles']}")
    s = expected["sentence"]
    got = ctx.sql(
        f"SELECT text, substr(text, 1, 5) AS head, character_length(text) AS n FROM sentences "
        f"WHERE article_id = '{s['article_id']}' AND sentence_idx = {s['sentence_idx']}"
    ).to_pydict()
    if (got["text"], got["head"], got["n"]) != ([s["text"]], [s["text"][:5]], [len(s["text"])]):
        fail("datafusion", f"sentence text {got} != {s['text']!r}")
    return ctx


# --- The same answer from both: a co-occurrence count and a date-filtered join. -----------
QUERIES = [
    "SELECT a_kind, b_kind, count(*) AS n, sum(n_pairs) AS pairs FROM cooc_sentence GROUP BY a_kind, b_kind ORDER BY a_kind, b_kind",
    "SELECT e.kind, count(*) AS n FROM mentions m JOIN entities e ON e.entity_id = m.entity_id "
    "WHERE m.pub_date >= DATE '2022-01-01' GROUP BY e.kind ORDER BY e.kind",
    "SELECT a.pub_month, count(*) AS n FROM sentences s JOIN articles a ON a.article_id = s.article_id "
    "AND a.pub_month = s.pub_month GROUP BY a.pub_month ORDER BY a.pub_month",
]

results = {}
for engine in ENGINES:
    try:
        if engine == "duckdb":
            con = check_duckdb()
            results[engine] = [[tuple(r) for r in con.execute(q).fetchall()] for q in QUERIES]
        elif engine == "datafusion":
            ctx = check_datafusion()
            answers = []
            for q in QUERIES:
                cols = ctx.sql(q).to_pydict()
                answers.append(list(zip(*cols.values())))
            results[engine] = answers
        else:
            fail(engine, "unknown engine")
    except Exception as err:  # a reader error is a failure, named
        fail(engine, f"{type(err).__name__}: {err}")
    else:
        print(f"{engine}: {len(schema['tables'])} tables read, types, rows, dates and partitions as expected")

if len(results) == 2:
    a, b = results.values()
    for q, ra, rb in zip(QUERIES, a, b):
        if ra != rb:
            fail("both", f"{q}\n  duckdb:     {ra}\n  datafusion: {rb}")
        elif not ra:
            fail("both", f"{q}: no rows")
    print(f"duckdb and datafusion agree on {len(QUERIES)} queries")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
