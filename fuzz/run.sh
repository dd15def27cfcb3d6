#!/bin/sh
# make fuzz: each cargo-fuzz target runs $FUZZ_SECONDS from seeds that the
# library writes ($1: the debug library, $2: the Python that writes them);
# a crash stops the run and leaves its input in fuzz/artifacts/<target>/.
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them.
set -eu
lib=$1
python=$2
seconds=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
SPTCP_LIB=$lib "$python" fuzz/seeds.py
cd fuzz
for t in decode_variant stream_reads; do
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O $t corpus/$t -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
done
