#!/bin/sh
# Bounded fuzzing that CI can call, on stable Rust (no cargo-fuzz, no nightly): the query
# parser and every ingest reader get mutated inputs for FACTQL_FUZZ_SECS seconds each
# (default 90), with a fresh seed that is printed so a failure can be replayed.
#
#   scripts/fuzz.sh            # 90 s per target
#   FACTQL_FUZZ_SECS=600 scripts/fuzz.sh
#
# The properties are those of the cargo-fuzz target in crates/factql-syntax/fuzz (no panic,
# spans on character boundaries, print/parse round trip) and, for ingest, no panic, an answer
# within the time budget, spans inside the text. Without FACTQL_FUZZ_SECS the same tests run a
# fixed, deterministic number of iterations as part of `cargo test`.
set -eu
cd "$(dirname "$0")/.."
FACTQL_FUZZ_SECS="${FACTQL_FUZZ_SECS:-90}"
export FACTQL_FUZZ_SECS
cargo test -p factql-syntax --test no_panic -- mutations_for_a_time_budget --nocapture
cargo test -p factql-ingest --test fuzz_read -- --nocapture
