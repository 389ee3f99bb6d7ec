"""Throughput and memory of `gipnlp batch`, against plain `jieba.lcut` over the same text.

    python benchmarks/bench_batch.py                 # 2000 reports, 2 worker processes
    python benchmarks/bench_batch.py -n 300 --jobs 1

Builds N reports in a temporary folder from the real seed reports (../shared/seeds, when present) and the
team-written reports (tests/data/reports, examples/), taken in turn, each copy's title numbered so that every
file has its own content hash (batch would skip repeats). Analyses them with gipnlp.batch.run into a new
store, then times jieba.lcut over every file's text in this one process (after jieba's dictionary is
loaded), and prints reports/second, peak memory and the ratio of the two times.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = [ROOT.parent / "shared" / "seeds", ROOT / "tests" / "data" / "reports", ROOT / "examples"]
NOT_REPORTS = {"not_a_report.txt"}  # a team-written test file that batch rejects on purpose
SAMPLE_SECONDS = 0.2  # how often the process tree's memory is sampled


def sources() -> list[Path]:
    return [p for folder in SOURCE_FOLDERS if folder.is_dir() for p in sorted(folder.glob("*.txt"))
            if p.name not in NOT_REPORTS]


def build_corpus(folder: Path, count: int) -> list[Path]:
    """`count` reports from the sources in turn, each copy's first line (its title) numbered."""
    texts = [p.read_text(encoding="utf-8") for p in sources()]
    paths = []
    for i in range(count):
        lines = texts[i % len(texts)].split("\n")
        title = next(n for n, line in enumerate(lines) if line.strip())
        lines[title] = f"{lines[title].rstrip()}（第{i // len(texts) + 1}稿）"
        paths.append(folder / f"{i:05d}.txt")
        paths[-1].write_text("\n".join(lines), encoding="utf-8")
    return paths


class TreeMemory:
    """Peak resident memory of this process plus all its descendants, sampled in a thread (needs psutil)."""

    def __init__(self):
        import psutil

        self.process, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(SAMPLE_SECONDS):
            total = 0
            for process in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # ended between listing and sampling
                    pass
            self.peak = max(self.peak, total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def run_batch(corpus: Path, store: Path, jobs: int, backend: str) -> tuple[dict, float, int | None]:
    from joblib.externals.loky import get_reusable_executor

    from gipnlp import batch

    try:
        tree = TreeMemory()
    except ImportError:
        tree = None
    started = time.perf_counter()
    if tree:
        with tree:
            summary = batch.run([corpus], store, jobs=jobs, backend=backend)
    else:
        summary = batch.run([corpus], store, jobs=jobs, backend=backend)
    seconds = time.perf_counter() - started
    if backend == "loky" and jobs > 1:  # joblib keeps its workers for re-use: end and reap them, so that
        get_reusable_executor(reuse=True).shutdown(wait=True)  # RUSAGE_CHILDREN counts them
    return summary.as_dict(), seconds, tree.peak if tree else None


def time_jieba(paths: list[Path]) -> tuple[float, int]:
    import jieba

    jieba.initialize()  # load the dictionary before timing, as batch workers do before their first report
    texts = [p.read_text(encoding="utf-8") for p in paths]
    started = time.perf_counter()
    tokens = sum(len(jieba.lcut(text)) for text in texts)
    return time.perf_counter() - started, tokens


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--reports", type=int, default=2000, help="reports in the corpus (default 2000)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="batch worker processes (default 2)")
    parser.add_argument("--backend", default="loky", choices=["loky", "dask"])
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gipnlp-bench-") as tmp:
        corpus = Path(tmp) / "reports"
        corpus.mkdir()
        paths = build_corpus(corpus, args.reports)
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        summary, batch_seconds, tree_peak = run_batch(corpus, Path(tmp) / "store.sqlite", args.jobs, args.backend)
        self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux; before jieba runs here
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        jieba_seconds, tokens = time_jieba(paths)

    figures = {
        "reports": args.reports, "megabytes": round(megabytes, 1), "jobs": args.jobs, "backend": args.backend,
        "cpus": os.cpu_count(), "errors": summary["errors"], "written": summary["written"],
        "batch_seconds": round(batch_seconds, 1),
        "batch_reports_per_second": round(args.reports / batch_seconds, 1),
        "jieba_seconds": round(jieba_seconds, 1), "jieba_reports_per_second": round(args.reports / jieba_seconds, 1),
        "jieba_tokens": tokens, "batch_to_jieba_time_ratio": round(batch_seconds / jieba_seconds, 2),
        "peak_rss_self_mib": round(self_peak / 1024), "peak_rss_largest_child_mib": round(child_peak / 1024),
        "peak_rss_tree_sampled_mib": round(tree_peak / 2**20) if tree_peak else None,
    }
    print(f"corpus: {args.reports} reports, {megabytes:.1f} MB of text; batch --jobs {args.jobs} ({args.backend}) "
          f"on {os.cpu_count()} CPUs; {summary['errors']} errors")
    print(f"batch:       {batch_seconds:7.1f} s  {figures['batch_reports_per_second']:7.1f} reports/s")
    print(f"jieba.lcut:  {jieba_seconds:7.1f} s  {figures['jieba_reports_per_second']:7.1f} reports/s  "
          f"(one process, {tokens} tokens)")
    print(f"ratio:       batch takes {figures['batch_to_jieba_time_ratio']}× as long as plain jieba.lcut")
    print(f"peak RSS:    this process {figures['peak_rss_self_mib']} MiB (getrusage SELF), "
          f"largest child {figures['peak_rss_largest_child_mib']} MiB (getrusage CHILDREN), "
          f"whole tree {figures['peak_rss_tree_sampled_mib']} MiB (sampled during batch)")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
