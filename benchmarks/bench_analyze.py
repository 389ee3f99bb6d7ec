"""Analyse the five seed reports after start-up (model loaded, first report warmed) and print the time.

    python benchmarks/bench_analyze.py
"""
from __future__ import annotations

import time

from _common import report_paths

from gipnlp import load_model
from gipnlp.analyze import analyze


def main() -> None:
    started = time.perf_counter()
    tagger = load_model()
    loaded = time.perf_counter() - started
    paths = report_paths()
    analyze(paths[0], tagger=tagger)  # warm-up: jieba dictionary, opencc
    warm = time.perf_counter() - started
    started = time.perf_counter()
    for path in paths:
        analyze(path, tagger=tagger)
    seconds = time.perf_counter() - started
    print(f"start-up: model load {loaded:.2f} s, warm-up {warm - loaded:.2f} s; "
          f"analysed {len(paths)} reports one by one in {seconds:.2f} s ({seconds / len(paths) * 1000:.0f} ms each)")


if __name__ == "__main__":
    main()
