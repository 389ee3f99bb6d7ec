"""`gipnlp batch` into a results store (errors, re-runs, kill and resume, SIGINT, dask) and `gipnlp filter`.

The store under test is built by the real command in a subprocess; what filter should return is worked
out independently from the store's own tables (sqlite3 + pandas), never through gipnlp.query.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE, REPORTS, SEEDS

GIPNLP = [sys.executable, "-m", "gipnlp"]
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
BAD_FILES = {"empty.txt": b"", "binary.txt": bytes(range(256)) * 40}
NOT_A_REPORT = "not_a_report.txt"
LARGE_CORPUS = 150  # enough for several seconds of work on 2 cores, so a kill lands mid-run
RUN_TIMEOUT = 300


# ---------------------------------------------------------------- helpers (also used by the report and notebook tests)

def report_sources() -> list[Path]:
    """The team-written reports and example, and the real seed reports when ../shared is present."""
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return sorted(REPORTS.glob("*.txt")) + [EXAMPLE] + seeds


def varied_copies(folder: Path, count: int) -> Path:
    """`count` analysable reports made from the sources in turn; each copy's title carries its copy
    number, so every file has its own content hash."""
    sources = [p for p in report_sources() if p.name != NOT_A_REPORT]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        source, copy = sources[i % len(sources)], i // len(sources)
        lines = source.read_text(encoding="utf-8").split("\n")
        title = next(n for n, line in enumerate(lines) if line.strip())
        lines[title] = f"{lines[title].rstrip()}（第{copy + 1}稿）"
        (folder / f"{i:04d}_{source.name}").write_text("\n".join(lines), encoding="utf-8")
    return folder


def run_batch(folder: Path, store: Path, *options: str) -> subprocess.CompletedProcess:
    """`gipnlp batch FOLDER --out STORE`, stderr captured (so not a TTY)."""
    return subprocess.run([*GIPNLP, "batch", str(folder), "--out", str(store), *options], capture_output=True,
                          text=True, env=ENV, timeout=RUN_TIMEOUT)


def summary_line(stdout: str) -> dict:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def corpus_store(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """Copies of every source plus an empty and a binary .txt, analysed once per test session by
    `gipnlp batch --jobs 2`: (folder, store, the finished command)."""
    base = tmp_path_factory.getbasetemp() / "corpus"
    folder, store, done = base / "reports", base / "store.sqlite", base / "batch.json"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for source in report_sources():
            (folder / source.name).write_bytes(source.read_bytes())
        for name, content in BAD_FILES.items():
            (folder / name).write_bytes(content)
        result = run_batch(folder, store, "--jobs", "2")
        assert result.returncode == 0, result.stderr
        done.write_text(json.dumps({"returncode": result.returncode, "stdout": result.stdout,
                                    "stderr": result.stderr}), encoding="utf-8")
    finished = json.loads(done.read_text(encoding="utf-8"))
    return folder, store, subprocess.CompletedProcess([], **finished)


def read_only(store: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True)


def stored_reports(store: Path) -> int:
    """Report rows committed so far (0 while the store or its schema does not exist yet)."""
    try:
        with closing(read_only(store)) as connection:
            return connection.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    except sqlite3.Error:
        return 0


def snapshot(store: Path) -> dict:
    """content_hash → what was found in that report: status, error, score, flags and units."""
    with closing(read_only(store)) as connection:
        reports = connection.execute("SELECT report_id, content_hash, status, error, score FROM reports").fetchall()
        flags, units = {}, {}
        for report_id, *flag in connection.execute(
                "SELECT report_id, code, severity, message, evidence FROM flags ORDER BY report_id, code, message"):
            flags.setdefault(report_id, []).append(tuple(flag))
        for report_id, *unit in connection.execute(
                "SELECT report_id, text, section, role, themes, generic FROM units ORDER BY report_id, position"):
            units.setdefault(report_id, []).append(tuple(unit))
    return {digest: {"status": status, "error": error, "score": score, "flags": flags.get(rid, []),
                     "units": units.get(rid, [])}
            for rid, digest, status, error, score in reports}


def assert_whole(store: Path) -> None:
    """No duplicate report, every report with exactly its units, themes, index entries and no orphans."""
    with closing(read_only(store)) as connection:
        one = lambda sql: connection.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT COUNT(*) - COUNT(DISTINCT content_hash) FROM reports") == 0
        assert one("SELECT COUNT(*) FROM reports r WHERE n_units != "
                   "(SELECT COUNT(*) FROM units u WHERE u.report_id = r.report_id)") == 0
        assert one("SELECT COUNT(*) FROM (SELECT report_id, position FROM units GROUP BY 1, 2 HAVING COUNT(*) > 1)") == 0
        for table in ("units", "flags", "unit_themes"):
            assert one(f"SELECT COUNT(*) FROM {table} WHERE report_id NOT IN (SELECT report_id FROM reports)") == 0
        assert one("SELECT COUNT(*) FROM units_fts") == one("SELECT COUNT(*) FROM units")
        assert one("SELECT COUNT(*) FROM unit_themes") == one("SELECT COALESCE(SUM(json_array_length(themes)), 0) FROM units")


def dump(store: Path) -> list[str]:
    with closing(read_only(store)) as connection:
        return list(connection.iterdump())


# ---------------------------------------------------------------- batch

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return corpus_store(tmp_path_factory)


def test_one_row_per_report_and_errors_recorded(corpus):
    folder, store, _ = corpus
    files = sorted(str(p) for p in folder.iterdir())
    with closing(read_only(store)) as connection:
        rows = connection.execute("SELECT source, status, error, n_units FROM reports ORDER BY source").fetchall()
    assert [source for source, *_ in rows] == files
    errors = {Path(source).name: error for source, status, error, _ in rows if status == "error"}
    assert set(errors) == {*BAD_FILES, NOT_A_REPORT}
    assert "empty" in errors["empty.txt"] and "binary" in errors["binary.txt"]
    assert "annual report" in errors[NOT_A_REPORT]
    assert all(source in errors[Path(source).name] for source, status, *_ in rows if status == "error")
    assert all(n_units > 0 for _, status, _, n_units in rows if status == "ok")
    assert_whole(store)


def test_summary_is_one_json_line_without_progress_bar_when_not_a_tty(corpus):
    folder, store, result = corpus
    summary = summary_line(result.stdout)
    found = len(list(folder.iterdir()))
    assert summary["found"] == summary["written"] == found and summary["skipped"] == 0
    assert summary["errors"] == len(BAD_FILES) + 1 and len(summary["error_messages"]) == summary["errors"]
    assert summary["store"] == str(store) and summary["interrupted"] is False
    assert "\r" not in result.stderr and "reports/s" not in result.stderr and "ETA" not in result.stderr


def test_rerun_skips_everything_and_leaves_the_store_unchanged(corpus):
    folder, store, _ = corpus
    before = dump(store)
    result = run_batch(folder, store, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    summary = summary_line(result.stdout)
    assert summary["skipped"] == summary["found"] == len(list(folder.iterdir()))
    assert summary["written"] == summary["errors"] == 0
    assert dump(store) == before


@pytest.fixture(scope="module")
def large_corpus(tmp_path_factory):
    return varied_copies(tmp_path_factory.mktemp("large") / "reports", LARGE_CORPUS)


def _start_batch(folder: Path, store: Path) -> subprocess.Popen:
    """Started in its own session, so that its worker processes can be cleaned up with it; output goes
    to files beside the store (workers inherit the descriptors, so pipes could outlive a killed parent)."""
    with open(store.with_suffix(".out"), "w") as stdout, open(store.with_suffix(".err"), "w") as stderr:
        return subprocess.Popen([*GIPNLP, "batch", str(folder), "--out", str(store), "--jobs", "2"],
                                stdout=stdout, stderr=stderr, env=ENV, start_new_session=True)


def _output(store: Path) -> tuple[str, str]:
    return (store.with_suffix(".out").read_text(encoding="utf-8"),
            store.with_suffix(".err").read_text(encoding="utf-8"))


def _once_reports_are_stored(process: subprocess.Popen, store: Path) -> int:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        count = stored_reports(store)
        if count:
            return count
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"batch stored nothing before it ended (exit code {process.poll()})")


def _kill_session(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its workers, which outlive a killed parent for a moment
    except ProcessLookupError:
        pass


def test_killed_run_resumes_to_the_same_store(large_corpus, tmp_path):
    from gipnlp import batch

    store = tmp_path / "killed.sqlite"
    process = _start_batch(large_corpus, store)
    try:
        _once_reports_are_stored(process, store)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        _kill_session(process)
    assert process.returncode == -signal.SIGKILL and _output(store)[0] == ""
    kept = stored_reports(store)
    assert 0 < kept < LARGE_CORPUS, "the kill should land after the first write and before the end"
    assert_whole(store)

    result = run_batch(large_corpus, store, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    summary = summary_line(result.stdout)
    assert (summary["skipped"], summary["written"]) == (kept, LARGE_CORPUS - kept)

    reference = tmp_path / "uninterrupted.sqlite"
    assert batch.run([large_corpus], reference, jobs=1).written == LARGE_CORPUS
    resumed, expected = snapshot(store), snapshot(reference)
    assert len(expected) == LARGE_CORPUS and set(resumed) == set(expected)
    assert resumed == expected
    assert_whole(store)


def test_interrupt_exits_130_and_keeps_what_was_written(large_corpus, tmp_path):
    store = tmp_path / "interrupted.sqlite"
    process = _start_batch(large_corpus, store)
    try:
        seen = _once_reports_are_stored(process, store)
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole foreground group
        process.wait(timeout=120)
    finally:
        _kill_session(process)
    stdout, stderr = _output(store)
    assert process.returncode == 130, stderr
    summary = summary_line(stdout)
    assert summary["interrupted"] is True and "Traceback" not in stderr and "interrupted" in stderr
    kept = stored_reports(store)
    assert seen <= kept == summary["written"] < LARGE_CORPUS
    assert_whole(store)


def test_dask_local_cluster_matches_loky(corpus, tmp_path):
    folder, loky_store, _ = corpus
    store = tmp_path / "dask.sqlite"
    result = run_batch(folder, store, "--backend", "dask", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert summary_line(result.stdout)["written"] == len(list(folder.iterdir()))
    assert snapshot(store) == snapshot(loky_store)
    assert_whole(store)


# ---------------------------------------------------------------- filter

def run_filter(store: Path, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*GIPNLP, "filter", str(store), *options], capture_output=True, text=True, env=ENV,
                            timeout=RUN_TIMEOUT)
    assert result.returncode == 0, result.stderr
    return result


def filter_json(store: Path, *options: str):
    return json.loads(run_filter(store, *options, "--format", "json").stdout)


@pytest.fixture(scope="module")
def tables(corpus):
    """The store's own rows, read with sqlite3 + pandas."""
    _, store, _ = corpus
    with closing(read_only(store)) as connection:
        read = lambda sql: pd.read_sql_query(sql, connection)  # noqa: E731
        return {
            "reports": read("SELECT * FROM reports WHERE status = 'ok'"),
            "units": read("SELECT u.* FROM units u JOIN reports r USING (report_id) WHERE r.status = 'ok'"),
            "themes": read("SELECT t.unit_id, t.report_id, t.theme, t.role FROM unit_themes t"),
            "flags": read("SELECT report_id, code FROM flags"),
        }


@pytest.fixture(scope="module")
def selective_query(tables):
    """A (theme, flag, year) that some but not all of that year's reports match, and those reports."""
    reports, themes, flags = tables["reports"], tables["themes"], tables["flags"]
    for year in sorted(reports["year"].dropna().astype(int).unique()):
        of_year = set(reports.loc[reports["year"] == year, "report_id"])
        for code in sorted(flags["code"].unique()):
            flagged = set(flags.loc[flags["code"] == code, "report_id"])
            for theme in sorted(themes["theme"].unique()):
                matching = of_year & flagged & set(themes.loc[themes["theme"] == theme, "report_id"])
                if 0 < len(matching) < len(of_year):
                    return theme, code, int(year), matching
    pytest.fail("no selective theme + flag + year in the test store")


def test_filter_theme_flag_year_returns_matching_reports_with_evidence(corpus, tables, selective_query):
    _, store, _ = corpus
    theme, code, year, expected = selective_query
    data = filter_json(store, "--theme", theme, "--flag", code, "--year", str(year))
    assert {row["report_id"] for row in data["rows"]} == expected
    units, themes = tables["units"], tables["themes"]
    evidence_units = units[units["unit_id"].isin(themes.loc[themes["theme"] == theme, "unit_id"])]
    for row in data["rows"]:
        assert row["year"] == year and code in row["flags"].split(",")
        texts = evidence_units.loc[evidence_units["report_id"] == row["report_id"]].sort_values("position")["text"]
        assert texts.size and row["evidence"].startswith(" | ".join(texts))
    assert {f["report_id"] for f in data["flags"]} == expected
    assert len(data["flags"]) == tables["flags"]["report_id"].isin(expected).sum()

    unit_rows = filter_json(store, "--theme", theme, "--flag", code, "--year", str(year), "--units")
    wanted = evidence_units[evidence_units["report_id"].isin(expected)]
    assert sorted((u["report_id"], u["text"]) for u in unit_rows) == sorted(zip(wanted["report_id"], wanted["text"]))
    assert all(theme in u["themes"].split(",") for u in unit_rows)


@pytest.mark.parametrize("term", ["网站", "依申请"])  # two characters: LIKE; three or more: the trigram index
def test_filter_full_text_search(corpus, tables, term):
    _, store, _ = corpus
    units = tables["units"]
    hits = units[units["text"].str.contains(term, regex=False)]
    assert len(hits)
    unit_rows = filter_json(store, "--text", term, "--units")
    assert sorted((u["report_id"], u["text"]) for u in unit_rows) == sorted(zip(hits["report_id"], hits["text"]))
    report_rows = filter_json(store, "--text", term)["rows"]
    assert {r["report_id"] for r in report_rows} == set(hits["report_id"])
    assert all(term in r["evidence"] for r in report_rows)


def test_filter_agency_and_score_bounds(corpus, tables):
    _, store, _ = corpus
    reports = tables["reports"]
    agency = "汇川市"
    expected = set(reports.loc[reports["agency"].fillna("").str.contains(agency, regex=False), "report_id"])
    assert 0 < len(expected) < len(reports)
    assert {r["report_id"] for r in filter_json(store, "--agency", agency)["rows"]} == expected

    low, high = reports["score"].quantile([0.25, 0.75])
    expected = set(reports.loc[reports["score"].between(low, high), "report_id"])
    assert 0 < len(expected) < len(reports)
    rows = filter_json(store, "--min-score", str(low), "--max-score", str(high))["rows"]
    assert {r["report_id"] for r in rows} == expected and all(low <= r["score"] <= high for r in rows)


def test_filter_output_formats_load_back(corpus, tables, selective_query, tmp_path):
    import openpyxl

    _, store, _ = corpus
    theme, code, year, expected = selective_query
    query = ["--theme", theme, "--flag", code, "--year", str(year)]
    outputs = {fmt: tmp_path / f"result.{fmt}" for fmt in ("csv", "xlsx", "json", "parquet")}
    for fmt, out in outputs.items():
        run_filter(store, *query, "--format", fmt, "--out", str(out))
    n_flags = tables["flags"]["report_id"].isin(expected).sum()

    assert outputs["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    with open(outputs["csv"], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {int(r["report_id"]) for r in rows} == expected and all(r["year"] == str(year) for r in rows)

    workbook = openpyxl.load_workbook(outputs["xlsx"], read_only=True)
    assert workbook.sheetnames == ["reports", "flags"]
    sheets = pd.read_excel(outputs["xlsx"], sheet_name=None)
    assert set(sheets["reports"]["report_id"]) == expected and len(sheets["flags"]) == n_flags

    data = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert set(pd.DataFrame(data["rows"])["report_id"]) == expected and len(pd.DataFrame(data["flags"])) == n_flags

    frame = pd.read_parquet(outputs["parquet"])
    assert set(frame["report_id"]) == expected and {"score", "evidence"} <= set(frame.columns)


def test_filter_without_matches_keeps_the_output_shape(corpus, tmp_path):
    _, store, _ = corpus
    assert filter_json(store, "--flag", "no_such_flag") == {"rows": [], "flags": []}
    out = tmp_path / "none.xlsx"
    run_filter(store, "--flag", "no_such_flag", "--format", "xlsx", "--out", str(out))
    import openpyxl

    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["reports", "flags"]
