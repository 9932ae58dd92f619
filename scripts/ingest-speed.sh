#!/usr/bin/env bash
# Whole-ingest throughput and peak memory with every bundled extractor, on one core:
# the bundled corpus copied (each copy made unique by a numbered line, so none is a
# duplicate) until it holds about 10 MB, then `factql ingest` on it into a fresh store.
#
#   scripts/ingest-speed.sh [MB]     (default 10; needs /usr/bin/time and taskset)
#
# FACTQL_BIN=path runs that binary instead of building target/release/factql (to compare a
# saved build with the current one on the same machine load).
#
# Prints MB, words (whitespace-separated, title and body), seconds, words/s and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-10}
bin=${FACTQL_BIN:-}
if [ -z "$bin" ]; then
    cargo build --release -q -p factql
    bin=target/release/factql
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
copy=0
bytes=0
target=$((mb * 1024 * 1024))
while [ "$bytes" -lt "$target" ]; do
    for f in crates/factql/corpus/000_dcc1d3f2ccee5e65.txt crates/factql/corpus/wikinews/*.txt; do
        copy=$((copy + 1))
        out="$work/corpus/$(printf '%06d' "$copy")_$(basename "$f")"
        { cat "$f"; printf '\n\nCopy %d of the bundled corpus.\n' "$copy"; } > "$out"
        bytes=$((bytes + $(stat -c %s "$out")))
    done
done
words=$(cat "$work"/corpus/*.txt | wc -w)
start=$(date +%s.%N)
taskset -c 0 /usr/bin/time -v -o "$work/time.txt" \
    "$bin" --db "$work/speed.db" ingest "$work/corpus" > "$work/out.txt"
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {print sum}' "$work/time.txt")
tail -n 4 "$work/out.txt"
printf '%.1f MB, %d files, %d words in %.2f s on one core: %.0f words/s, peak RSS %.1f MiB\n' \
    "$(echo "$bytes / 1000000" | bc -l)" "$copy" "$words" "$secs" "$(echo "$words / $secs" | bc -l)" \
    "$(echo "$rss_kib / 1024" | bc -l)"
# On a shared machine the wall clock counts other processes' time too; CPU time does not.
printf 'CPU time (user + system) %.2f s: %.0f words per CPU-second\n' \
    "$cpu" "$(echo "$words / $cpu" | bc -l)"
