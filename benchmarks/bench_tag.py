"""Time `gipnlp tag` on N units (default 10,000) drawn from the seed reports, as a user runs it.

    python benchmarks/bench_tag.py [N]
The figure includes process start-up and model loading (the whole command).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import report_paths

from gipnlp import read, segment
from gipnlp.units import split


def main(n: int = 10_000) -> None:
    units = [u for p in report_paths() for u in split(segment(read(p)))]
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for i in range(n):
                u = units[i % len(units)]
                # a counter makes every text distinct, so no cache can help
                handle.write(json.dumps({"id": i, "text": f"{u.text}（{i}）", "section": u.section,
                                         "heading": u.heading}, ensure_ascii=False) + "\n")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gipnlp", "tag", "--input", str(source), "--output", str(target)],
                       check=True)
        seconds = time.perf_counter() - started
        lines = sum(1 for _ in open(target, encoding="utf-8"))
    print(f"tagged {lines} units in {seconds:.2f} s ({lines / seconds:.0f} units/second, including start-up)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
