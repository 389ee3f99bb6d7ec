"""Throughput and memory of `gipnlp batch`, against plain `jieba.lcut` over the same text.

    python benchmarks/bench_batch.py                 # 2000 reports, 2 worker processes
    python benchmarks/bench_batch.py -n 300 --jobs 1
    python benchmarks/bench_batch.py --distinct      # no sentence repeats across copies (no cache hits)

Builds N reports in a temporary folder from the real seed reports (../shared/seeds, when present) and the
team-written reports (tests/data/reports, examples/), taken in turn, each copy's title numbered so that every
file has its own content hash (batch would skip repeats); with --distinct every sentence is numbered too.
Analyses them with gipnlp.batch.run into a new
store, then times jieba.lcut over every file's text in this one process (after jieba's dictionary is
loaded); repeats both, alternated (--repeat, default 3), and prints the medians' reports/second, their
ratio and peak memory. (On a shared virtual machine one jieba pass over the same text varied from 17 s
to 28 s within a minute, so a single pair of runs says little.)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
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


def build_corpus(folder: Path, count: int, *, distinct: bool = False) -> list[Path]:
    """`count` reports from the sources in turn, each copy's first line (its title) numbered.

    Copies of one source share all their other sentences, so per-text caches (jieba tokens) hit
    from the second copy on. With `distinct`, every sentence of every copy also gets the copy's
    number ("……（第3稿）。"), so that no two copies share a unit and nothing is served from a cache.
    """
    texts = [p.read_text(encoding="utf-8") for p in sources()]
    paths = []
    for i in range(count):
        copy = i // len(texts) + 1
        lines = texts[i % len(texts)].split("\n")
        title = next(n for n, line in enumerate(lines) if line.strip())
        lines[title] = f"{lines[title].rstrip()}（第{copy}稿）"
        text = "\n".join(lines)
        if distinct:
            text = text.replace("。", f"（第{copy}稿）。")
        paths.append(folder / f"{i:05d}.txt")
        paths[-1].write_text(text, encoding="utf-8")
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
    parser.add_argument("--distinct", action="store_true",
                        help="number every sentence of every copy, so that no unit repeats across copies")
    parser.add_argument("-r", "--repeat", type=int, default=3,
                        help="batch and jieba runs, alternated; medians are compared (default 3)")
    args = parser.parse_args(argv)

    batch_times, jieba_times, tree_peaks = [], [], []
    with tempfile.TemporaryDirectory(prefix="gipnlp-bench-") as tmp:
        corpus = Path(tmp) / "reports"
        corpus.mkdir()
        paths = build_corpus(corpus, args.reports, distinct=args.distinct)
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        for run in range(args.repeat):  # alternate, so that a slow spell of a shared machine hits both
            summary, seconds, tree_peak = run_batch(corpus, Path(tmp) / f"store-{run}.sqlite", args.jobs, args.backend)
            batch_times.append(seconds)
            tree_peaks.append(tree_peak or 0)
            if run == 0:
                self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux; before jieba runs
            jieba_seconds, tokens = time_jieba(paths)
            jieba_times.append(jieba_seconds)
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    batch_seconds, jieba_seconds = statistics.median(batch_times), statistics.median(jieba_times)
    figures = {
        "reports": args.reports, "distinct": args.distinct, "megabytes": round(megabytes, 1), "jobs": args.jobs,
        "backend": args.backend, "cpus": os.cpu_count(), "errors": summary["errors"], "written": summary["written"],
        "batch_seconds_runs": [round(t, 1) for t in batch_times], "jieba_seconds_runs": [round(t, 1) for t in jieba_times],
        "batch_seconds": round(batch_seconds, 1), "batch_reports_per_second": round(args.reports / batch_seconds, 1),
        "jieba_seconds": round(jieba_seconds, 1), "jieba_reports_per_second": round(args.reports / jieba_seconds, 1),
        "jieba_tokens": tokens, "batch_to_jieba_time_ratio": round(batch_seconds / jieba_seconds, 2),
        "peak_rss_self_mib": round(self_peak / 1024), "peak_rss_largest_child_mib": round(child_peak / 1024),
        "peak_rss_tree_sampled_mib": round(max(tree_peaks) / 2**20) if any(tree_peaks) else None,
    }
    print(f"corpus: {args.reports} reports{' (every sentence distinct)' if args.distinct else ''}, "
          f"{megabytes:.1f} MB of text; batch --jobs {args.jobs} ({args.backend}) "
          f"on {os.cpu_count()} CPUs; {summary['errors']} errors; {args.repeat} runs of each, alternated")
    print(f"batch:       {batch_seconds:7.1f} s  {figures['batch_reports_per_second']:7.1f} reports/s  "
          f"(median; runs {figures['batch_seconds_runs']})")
    print(f"jieba.lcut:  {jieba_seconds:7.1f} s  {figures['jieba_reports_per_second']:7.1f} reports/s  "
          f"(median; runs {figures['jieba_seconds_runs']}; one process, {tokens} tokens)")
    print(f"ratio:       batch takes {figures['batch_to_jieba_time_ratio']}× as long as plain jieba.lcut (medians)")
    print(f"peak RSS:    this process {figures['peak_rss_self_mib']} MiB (getrusage SELF), "
          f"largest child {figures['peak_rss_largest_child_mib']} MiB (getrusage CHILDREN), "
          f"whole tree {figures['peak_rss_tree_sampled_mib']} MiB (sampled during batch)")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
