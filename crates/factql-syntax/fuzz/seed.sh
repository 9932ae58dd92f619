#!/bin/sh
# Seeds the fuzz corpus with the test queries. Run from the crate directory:
#   sh fuzz/seed.sh && cargo fuzz run --sanitizer none parse -- -max_total_time=600
set -eu
mkdir -p fuzz/corpus/parse
for f in test_data/ok/*.fql test_data/err/*.fql; do
    cp "$f" "fuzz/corpus/parse/$(basename "$f")"
done
echo "seeded $(ls fuzz/corpus/parse | wc -l) files"
