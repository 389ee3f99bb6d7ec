"""The results store: one SQLite file, no server.

Tables: `reports` (one row per report, or an error row for a file that could not be analysed),
`units` (one row per unit), `flags` (one row per flag) and `units_fts` (full-text index over unit
text for `gipnlp filter --text`). Every batch of reports is written in one transaction, so an
interrupted run leaves only whole reports behind, and `content_hash` is unique, so re-runs skip
what is stored.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    agency TEXT,
    year INTEGER,
    format_version TEXT,
    score REAL,
    components TEXT,          -- JSON: [{name, weight, points, deductions}]
    sections TEXT,            -- JSON: section ids found, in order
    n_units INTEGER
);
CREATE TABLE IF NOT EXISTS units (
    unit_id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(report_id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL,
    subsection TEXT,
    heading TEXT,
    role TEXT NOT NULL,
    themes TEXT NOT NULL,     -- JSON list of theme ids
    generic INTEGER NOT NULL,
    scores TEXT NOT NULL      -- JSON: {role: {...}, themes: {...}, generic: p}
);
CREATE TABLE IF NOT EXISTS unit_themes (
    unit_id INTEGER NOT NULL REFERENCES units(unit_id),
    report_id INTEGER NOT NULL,
    theme TEXT NOT NULL,
    role TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flags (
    report_id INTEGER NOT NULL REFERENCES reports(report_id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    evidence TEXT NOT NULL    -- JSON list
);
CREATE INDEX IF NOT EXISTS units_report ON units(report_id);
CREATE INDEX IF NOT EXISTS unit_themes_theme ON unit_themes(theme, role);
CREATE INDEX IF NOT EXISTS flags_code ON flags(code);
CREATE INDEX IF NOT EXISTS reports_year ON reports(year);
CREATE VIRTUAL TABLE IF NOT EXISTS units_fts USING fts5(text, content='units', content_rowid='unit_id',
                                                        tokenize='trigram');
"""


def connect(path: str | Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (and, if asked, create) a store."""
    path = Path(path)
    if not create and not path.is_file():
        raise InputError("no such results store (make one with `gipnlp batch … --out STORE`)", path=str(path))
    try:
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives the process being killed (only a power cut can lose the last
        # few, which a re-run then redoes); FULL would fsync on every commit of every chunk
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        if create:
            connection.executescript(SCHEMA)
            connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            connection.commit()
        version = connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise InputError(f"not a gipnlp results store ({error})", path=str(path)) from None
    if version is None or int(version[0]) != SCHEMA_VERSION:
        raise InputError(f"results store schema {version and version[0]} is not {SCHEMA_VERSION}", path=str(path))
    return connection


def stored_hashes(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT content_hash FROM reports")}


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def write_rows(connection: sqlite3.Connection, rows: Iterable[dict]) -> int:
    """Insert report rows (from batch.analyse_chunk, unit scores already JSON text) in one transaction;
    returns how many were new."""
    written = 0
    with transaction(connection):
        for row in rows:
            written += _insert_report(connection, row)
    return written


def _insert_report(connection: sqlite3.Connection, row: dict) -> int:
    cursor = connection.execute(
        "INSERT OR IGNORE INTO reports (content_hash, source, status, error, agency, year, format_version, score, "
        "components, sections, n_units) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (row["content_hash"], row["source"], row["status"], row.get("error"), row.get("agency"), row.get("year"),
         row.get("format_version"), row.get("score"), json.dumps(row.get("components"), ensure_ascii=False),
         json.dumps(row.get("sections"), ensure_ascii=False), len(row.get("units") or [])))
    if cursor.rowcount == 0:
        return 0  # the same content is already stored
    report_id = cursor.lastrowid
    units = row.get("units") or []
    # Unit ids are given explicitly (the write lock is held), so the index rows need no read-back.
    first_id = connection.execute("SELECT COALESCE(MAX(unit_id), 0) + 1 FROM units").fetchone()[0]
    connection.executemany(
        "INSERT INTO units (unit_id, report_id, position, text, section, subsection, heading, role, themes, generic, "
        "scores) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(first_id + position, report_id, position, unit["text"], unit["section"], unit.get("subsection"),
          unit.get("heading"), unit["role"], json.dumps(unit["themes"]), int(unit["generic"]),
          unit["scores"])
         for position, unit in enumerate(units)])
    connection.executemany("INSERT INTO units_fts (rowid, text) VALUES (?, ?)",
                           [(first_id + position, unit["text"]) for position, unit in enumerate(units)])
    connection.executemany("INSERT INTO unit_themes VALUES (?,?,?,?)",
                           [(first_id + position, report_id, theme, unit["role"])
                            for position, unit in enumerate(units) for theme in unit["themes"]])
    connection.executemany("INSERT INTO flags VALUES (?,?,?,?,?)",
                           [(report_id, f["code"], f["severity"], f["message"], json.dumps(f["evidence"], ensure_ascii=False))
                            for f in row.get("flags") or []])
    return 1


def counts(connection: sqlite3.Connection) -> dict:
    reports, errors = connection.execute(
        "SELECT COUNT(*), SUM(status = 'error') FROM reports").fetchone()
    units = connection.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    return {"reports": reports, "errors": errors or 0, "units": units}
