"""Analyse folders of reports into a results store, in parallel, resumably.

Files are grouped into chunks; a worker analyses a whole chunk (classifying all its units in one
call) and returns plain rows; the main process writes each chunk in one transaction as it arrives.
Reports whose content hash is already stored are skipped, so an interrupted run simply continues.
Workers run through joblib: the loky backend on this machine, or the dask backend on a Dask
cluster (`--backend dask --scheduler tcp://host:8786`, or a local cluster without --scheduler).
"""
from __future__ import annotations

import json
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from . import io as gio
from . import store
from .card import DEFAULT_MODEL_DIR, sha256_file, verify
from .errors import GipnlpError
from .walk import report_paths

CHUNK = 16  # reports per worker task: large enough to amortise classifier overhead


@dataclass
class Summary:
    found: int = 0
    skipped: int = 0
    written: int = 0
    errors: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    store: str = ""
    error_messages: list = field(default_factory=list)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["reports_per_second"] = round(self.written / self.seconds, 2) if self.seconds else None
        data["error_messages"] = self.error_messages[:20]
        return data


_taggers: dict = {}


def _tagger(model_dir: str | None):
    from . import models

    if model_dir not in _taggers:
        _taggers[model_dir] = models.load(model_dir)
    return _taggers[model_dir]


def analyse_chunk(items: Sequence[tuple[str, str]], model_dir: str | None, max_bytes: int) -> list[dict]:
    """Rows for (path, content_hash) pairs; a file that fails becomes an error row, never an exception."""
    from .render import analysis_dict

    documents, rows = [], {}
    for path, digest in items:
        try:
            documents.append((path, digest, gio.read(path, max_bytes=max_bytes)))
        except GipnlpError as error:
            rows[path] = _error_row(path, digest, error)
    good = [(p, d, doc) for p, d, doc in documents if p not in rows]
    analyses = _analyse_documents(good, model_dir, rows)
    for (path, digest, _), analysis in analyses:
        rows[path] = _report_row(path, digest, analysis_dict(analysis))
    return [rows[path] for path, _ in items]


def _analyse_documents(good, model_dir, rows) -> list:
    from .analyze import analyze_many

    try:
        return list(zip(good, analyze_many([doc for _, _, doc in good], tagger=_tagger(model_dir))))
    except GipnlpError:
        results = []  # one bad document in the chunk: fall back to one at a time
        for item in good:
            try:
                results.append((item, analyze_many([item[2]], tagger=_tagger(model_dir))[0]))
            except GipnlpError as error:
                rows[item[0]] = _error_row(item[0], item[1], error)
        return results


def _error_row(path: str, digest: str, error: Exception) -> dict:
    return {"content_hash": digest, "source": path, "status": "error", "error": str(error)}


def _report_row(path: str, digest: str, data: dict) -> dict:
    return {"content_hash": digest, "source": path, "status": "ok", "agency": data["agency"], "year": data["year"],
            "format_version": data["format_version"], "score": data["score"]["total"],
            "components": data["score"]["components"], "sections": [s["id"] for s in data["sections"]],
            "units": [_unit_row(unit) for unit in data["units"]], "flags": data["flags"]}


def _unit_row(unit: dict) -> dict:
    """A unit as the store keeps it, its scores already JSON: encoded here, in the worker, so that the
    main process (the single writer) only inserts."""
    return {key: unit[key] for key in ("text", "section", "subsection", "heading", "role", "themes", "generic")} | {
        "scores": json.dumps(unit["scores"], ensure_ascii=False)}


def run(inputs: Sequence[str | Path], store_path: str | Path, *, jobs: int = 1, backend: str = "loky",
        scheduler: str | None = None, model_dir: str | Path | None = None,
        max_bytes: int = gio.DEFAULT_MAX_BYTES, progress: Callable[[Summary], None] | None = None) -> Summary:
    """Analyse every report under `inputs` into the store at `store_path`."""
    model = str(model_dir) if model_dir else None
    verify(model_dir or DEFAULT_MODEL_DIR)  # fail fast, before any work is sent out
    started = time.monotonic()
    paths = report_paths(inputs)
    connection = store.connect(store_path)
    summary = Summary(found=len(paths), store=str(store_path))
    stored_before = store.stored_hashes(connection)
    try:
        pending = _pending(paths, stored_before, summary)
        chunks = [pending[i:i + CHUNK] for i in range(0, len(pending), CHUNK)]
        with _backend(backend, scheduler, jobs) as parallel:
            for rows in parallel(chunks, model, max_bytes):  # in order, as workers finish them
                summary.written += store.write_rows(connection, rows)
                failed = [r for r in rows if r["status"] == "error"]
                summary.errors += len(failed)
                summary.error_messages += [r["error"] for r in failed]
                summary.seconds = time.monotonic() - started
                if progress:
                    progress(summary)
    except KeyboardInterrupt:
        summary.interrupted = True
        # Ctrl-C can land after a chunk's commit and before it is counted: the store knows what was written.
        summary.written = len(store.stored_hashes(connection) - stored_before)
    finally:
        connection.close()
    summary.seconds = time.monotonic() - started
    return summary


def _pending(paths: Sequence[Path], stored: set[str], summary: Summary) -> list[tuple[str, str]]:
    pending, seen = [], set()
    for path in paths:
        try:
            digest = sha256_file(path)
        except OSError as error:
            summary.errors += 1
            summary.error_messages.append(f"{path}: cannot read ({error.strerror})")
            continue
        if digest in stored or digest in seen:
            summary.skipped += 1
            continue
        seen.add(digest)
        pending.append((str(path), digest))
    return pending


def _analyse_chunk_in_worker(items, model_dir, max_bytes) -> list[dict]:
    """analyse_chunk in a worker process, which leaves Ctrl-C to the main process: the terminal sends
    SIGINT to the whole process group, and the main process stops the pool and reports what was written."""
    if threading.current_thread() is threading.main_thread():  # dask runs tasks in threads
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return analyse_chunk(items, model_dir, max_bytes)


class _backend:
    """A callable (chunks, model, max_bytes) → an iterator of rows per chunk, on the chosen joblib backend.

    Results stream back in order while later chunks are still being analysed, so the workers keep
    working while the main process writes to the store; only a few chunks are queued at a time.
    """

    def __init__(self, name: str, scheduler: str | None, jobs: int):
        if name not in ("loky", "dask"):
            raise GipnlpError(f"unknown backend {name!r}; expected loky or dask")
        self.name, self.scheduler, self.jobs = name, scheduler, max(1, jobs)
        self._client = self._cluster = None

    def __enter__(self):
        if self.name == "dask":
            from dask.distributed import Client, LocalCluster

            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                self._client = Client(self._cluster)
        return self

    def __call__(self, chunks, model, max_bytes):
        from joblib import Parallel, delayed, parallel_backend

        tasks = (delayed(_analyse_chunk_in_worker)(chunk, model, max_bytes) for chunk in chunks)
        if self.name == "loky" and self.jobs == 1:
            yield from (analyse_chunk(chunk, model, max_bytes) for chunk in chunks)
        elif self.name == "dask":
            with parallel_backend("dask"):
                yield from Parallel(return_as="generator")(tasks)
        else:
            yield from Parallel(n_jobs=self.jobs, backend="loky", return_as="generator")(tasks)

    def __exit__(self, *exc):
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        return False


def terminal_progress(stream=sys.stderr) -> Callable[[Summary], None]:
    """A one-line progress display with counts and ETA, redrawn in place."""
    def show(summary: Summary) -> None:
        done = summary.written + summary.skipped
        rate = summary.written / summary.seconds if summary.seconds else 0.0
        remaining = summary.found - done
        eta = f"{remaining / rate:5.0f}s" if rate else "    ?"
        share = done / summary.found if summary.found else 1.0
        bar = "#" * int(share * 30)
        stream.write(f"\r[{bar:<30}] {done}/{summary.found} {rate:6.1f} reports/s  ETA {eta}  errors {summary.errors}")
        stream.flush()
    return show


def summary_json(summary: Summary) -> str:
    return json.dumps(summary.as_dict(), ensure_ascii=False)
