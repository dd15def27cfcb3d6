"""Writes seed inputs for the fuzz targets: valid encodings of many values
(both formats) made by the library itself, so the fuzzer starts from
well-formed messages. Run by `make fuzz`."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python-tests"))

import sptcp  # noqa: E402
from test_variant import VALUES  # noqa: E402

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
for target in ("decode_variant", "stream_reads"):
    os.makedirs(os.path.join(out, target), exist_ok=True)
n = 0
for i, value in enumerate(VALUES):
    for major in (4, 3):
        err, data = sptcp.var_to_bytes(value, major=major)
        if err != sptcp.OK:
            continue
        with open(os.path.join(out, "decode_variant", f"seed-{major}-{i}"), "wb") as f:
            f.write(data)
        # stream_reads: a plan byte, then a length-prefixed Variant.
        with open(os.path.join(out, "stream_reads", f"seed-{major}-{i}"), "wb") as f:
            f.write(bytes([4]) + len(data).to_bytes(4, "little") + data)
        n += 1
print(f"fuzz seeds: {n} values written to {out}")
