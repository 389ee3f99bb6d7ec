"""Filter a results store: reports (or units) matching every condition, with their evidence."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic
from .errors import InputError
from .resources import ROLES, THEMES

REPORT_COLUMNS = ["report_id", "source", "agency", "year", "score", "flags", "evidence"]
UNIT_COLUMNS = ["report_id", "source", "agency", "year", "section", "role", "themes", "generic", "text"]
FLAG_COLUMNS = ["report_id", "code", "severity", "message", "evidence"]
# Read from the taxonomy directly (as gipnlp.models does): importing the classifiers would add
# seconds of start-up to every `gipnlp filter`.


@dataclass(frozen=True)
class Conditions:
    themes: tuple[str, ...] = ()
    role: str | None = None
    flags: tuple[str, ...] = ()
    min_score: float | None = None
    max_score: float | None = None
    agency: str | None = None
    year: int | None = None
    text: str | None = None

    def validate(self) -> "Conditions":
        unknown = [t for t in self.themes if t not in THEMES]
        if unknown:
            raise InputError(f"unknown theme(s) {unknown}; expected some of {list(THEMES)}")
        if self.role is not None and self.role not in ROLES:
            raise InputError(f"unknown role {self.role!r}; expected one of {list(ROLES)}")
        return self


@dataclass
class Result:
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    flags: list[dict] | None = None  # for reports: every flag of every matching report (None for units)


def _unit_clauses(c: Conditions, *, all_themes: bool) -> tuple[list[str], list]:
    """SQL conditions on a unit `u`: its themes (all of them, or any), role and text."""
    clauses, params = [], []
    has_theme = "EXISTS (SELECT 1 FROM unit_themes t WHERE t.unit_id = u.unit_id AND t.theme = ?)"
    if c.themes:
        clauses.append(f" {'AND' if all_themes else 'OR'} ".join([has_theme] * len(c.themes)).join("()"))
        params += list(c.themes)
    if c.role:
        clauses.append("u.role = ?")
        params.append(c.role)
    if c.text:
        if len(c.text) >= 3:  # the trigram index answers queries of three characters or more
            clauses.append("u.unit_id IN (SELECT rowid FROM units_fts WHERE units_fts MATCH ?)")
            params.append('"' + c.text.replace('"', '""') + '"')
        else:
            clauses.append("u.text LIKE ?")
            params.append(f"%{c.text}%")
    return clauses, params


def _report_clauses(c: Conditions) -> tuple[list[str], list]:
    """SQL conditions on a report `r`, including: every theme is met by some unit (of the role)."""
    clauses, params = ["r.status = 'ok'"], []
    for theme in c.themes:
        role = " AND t.role = ?" if c.role else ""
        clauses.append(f"EXISTS (SELECT 1 FROM unit_themes t WHERE t.report_id = r.report_id AND t.theme = ?{role})")
        params += [theme, c.role] if c.role else [theme]
    for code in c.flags:
        clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.report_id = r.report_id AND f.code = ?)")
        params.append(code)
    for column, op, value in (("score", ">=", c.min_score), ("score", "<=", c.max_score), ("year", "=", c.year)):
        if value is not None:
            clauses.append(f"r.{column} {op} ?")
            params.append(value)
    if c.agency:
        clauses.append("r.agency LIKE ?")
        params.append(f"%{c.agency}%")
    return clauses, params


def _matching_units(connection, c: Conditions, *, all_themes: bool) -> list[sqlite3.Row]:
    report_where, report_params = _report_clauses(c)
    unit_where, unit_params = _unit_clauses(c, all_themes=all_themes)
    sql = ("SELECT u.*, r.source, r.agency, r.year FROM units u JOIN reports r ON r.report_id = u.report_id "
           f"WHERE {' AND '.join(report_where + unit_where)} ORDER BY u.report_id, u.position")
    return connection.execute(sql, report_params + unit_params).fetchall()


def run(store_path: str | Path, conditions: Conditions, *, units: bool = False) -> Result:
    from .store import connect

    conditions.validate()
    connection = connect(store_path, create=False)
    connection.row_factory = sqlite3.Row
    try:
        if units:
            return Result(UNIT_COLUMNS, [_unit_row(u) for u in _matching_units(connection, conditions, all_themes=True)])
        unit_conditions = conditions.themes or conditions.role or conditions.text
        matched = _matching_units(connection, conditions, all_themes=False) if unit_conditions else None
        return _reports(connection, conditions, matched)
    finally:
        connection.close()


def _unit_row(u: sqlite3.Row) -> dict:
    return {"report_id": u["report_id"], "source": u["source"], "agency": u["agency"], "year": u["year"],
            "section": u["section"], "role": u["role"], "themes": ",".join(json.loads(u["themes"])),
            "generic": bool(u["generic"]), "text": u["text"]}


def _reports(connection, conditions: Conditions, matched) -> Result:
    where, params = _report_clauses(conditions)
    reports = connection.execute(f"SELECT r.* FROM reports r WHERE {' AND '.join(where)} ORDER BY r.report_id",
                                 params).fetchall()
    evidence: dict[int, list[str]] = {}
    if matched is not None:
        for u in matched:
            evidence.setdefault(u["report_id"], []).append(u["text"])
        reports = [r for r in reports if r["report_id"] in evidence]
    result = Result(REPORT_COLUMNS, flags=[])
    for r in reports:
        flag_rows = connection.execute("SELECT code, severity, message, evidence FROM flags WHERE report_id = ?",
                                       (r["report_id"],)).fetchall()
        wanted = [f for f in flag_rows if f["code"] in conditions.flags]
        flag_evidence = [e for f in wanted for e in json.loads(f["evidence"])]
        result.rows.append({"report_id": r["report_id"], "source": r["source"], "agency": r["agency"],
                            "year": r["year"], "score": r["score"], "flags": ",".join(sorted({f["code"] for f in flag_rows})),
                            "evidence": " | ".join(evidence.get(r["report_id"], []) + flag_evidence)})
        result.flags += [{"report_id": r["report_id"], "code": f["code"], "severity": f["severity"],
                          "message": f["message"], "evidence": " | ".join(json.loads(f["evidence"]))} for f in flag_rows]
    return result


# ---------------------------------------------------------------- output

def write(result: Result, fmt: str, out: str | Path | None) -> str | None:
    """Write the result in `fmt`; returns text for stdout when `out` is None and the format is textual."""
    if fmt in ("xlsx", "parquet") and out is None:
        raise InputError(f"--format {fmt} needs --out FILE")
    if fmt == "json":
        text = json.dumps({"rows": result.rows, "flags": result.flags} if result.flags is not None else result.rows,
                          ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = _csv(result)
    elif fmt == "table":
        text = _table(result)
    elif fmt == "xlsx":
        _xlsx(result, Path(out))
        return None
    elif fmt == "parquet":
        _parquet(result, Path(out))
        return None
    else:
        raise InputError(f"unknown format {fmt!r}")
    if out is None:
        return text
    atomic.write_bytes(out, text.encode("utf-8-sig") if fmt == "csv" else text.encode("utf-8"))
    return None


def _csv(result: Result) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.columns)
    writer.writeheader()
    writer.writerows(result.rows)
    return buffer.getvalue()


def _table(result: Result) -> str:
    lines = ["\t".join(result.columns)]
    for row in result.rows:
        lines.append("\t".join("" if row[c] is None else str(row[c])[:80] for c in result.columns))
    lines.append(f"({len(result.rows)} rows)")
    return "\n".join(lines) + "\n"


def _frames(result: Result):
    import pandas as pd

    frames = {"reports" if "score" in result.columns else "units": pd.DataFrame(result.rows, columns=result.columns)}
    if result.flags is not None:  # always a sheet for reports' flags, even when there are none
        frames["flags"] = pd.DataFrame(result.flags, columns=FLAG_COLUMNS)
    return frames


def _xlsx(result: Result, out: Path) -> None:
    import pandas as pd

    with atomic.atomic_writer(out, "wb") as handle:
        with pd.ExcelWriter(handle, engine="openpyxl") as writer:
            for name, frame in _frames(result).items():
                frame.to_excel(writer, sheet_name=name, index=False)


def _parquet(result: Result, out: Path) -> None:
    frame = next(iter(_frames(result).values()))
    with atomic.atomic_writer(out, "wb") as handle:
        frame.to_parquet(handle, index=False)
