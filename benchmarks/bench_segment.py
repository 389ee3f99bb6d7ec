"""Segment N copies of the seed reports and print reports/second.

    python benchmarks/bench_segment.py [N]      (default N = 1000)
"""
from __future__ import annotations

import sys
import time

from _common import report_paths

from gipnlp import read, segment


def main(n: int = 1000) -> None:
    documents = [read(p) for p in report_paths()]
    segment(documents[0])  # warm-up: opencc and pattern compilation
    started = time.perf_counter()
    for i in range(n):
        segment(documents[i % len(documents)])
    seconds = time.perf_counter() - started
    print(f"segmented {n} reports ({len(documents)} distinct) in {seconds:.2f} s: {n / seconds:.1f} reports/second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
