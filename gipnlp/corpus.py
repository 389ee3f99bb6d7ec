"""Labelled corpora: load JSONL/CSV, validate against the taxonomy, split, describe, hash.

A corpus is one or more files (or folders of *.jsonl / *.csv files). Validation collects every
problem — file, line, field — before raising one `CorpusError`, so a user fixes them all at once.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import CorpusError
from .features import clean_text
from .models import ROLES, THEMES

SECTIONS = ("intro", "overview", "active_disclosure", "applications", "review_litigation", "problems",
            "other", "unknown")
CORPUS_SUFFIXES = (".jsonl", ".csv")


@dataclass(frozen=True)
class LabelledUnit:
    id: str
    text: str
    section: str
    heading: str | None
    role: str
    themes: tuple[str, ...]
    generic: bool
    where: str  # "file:line", for messages

    def record(self) -> dict:
        """The unit as classifier input."""
        return {"text": self.text, "section": self.section, "heading": self.heading}


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their corpus files, sorted, so that hashing and loading are stable."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in CORPUS_SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise CorpusError([f"{path}: no such file or folder"], path=str(path))
    if not files:
        raise CorpusError(["no .jsonl or .csv files found"], path=", ".join(map(str, paths)))
    return files


def corpus_hash(paths: Iterable[str | Path]) -> str:
    """SHA-256 over the corpus files' names and bytes (what the model card records)."""
    digest = hashlib.sha256()
    for path in corpus_files(paths):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load(paths: Iterable[str | Path], *, require_labels: bool = True) -> list[LabelledUnit]:
    """Load and validate every unit of the given corpus files or folders."""
    units, problems = [], []
    for path in corpus_files(paths):
        for line_no, raw in _rows(path, problems):
            if isinstance(raw, dict) and raw.get("skip") is True:
                continue  # headings and table rows marked as not narrative
            unit, errors = _parse(raw, f"{path}:{line_no}", require_labels)
            problems.extend(errors)
            if unit is not None:
                units.append(unit)
    problems.extend(_cross_unit_problems(units))
    if problems:
        raise CorpusError(problems)
    return units


def _rows(path: Path, problems: list[str]):
    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})")
        return
    if path.suffix == ".csv":
        for line_no, row in enumerate(csv.DictReader(io.StringIO(content)), start=2):
            yield line_no, _csv_row(row)
        return
    for line_no, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{line_no}: invalid JSON ({error.msg} at column {error.colno})")


def _csv_row(row: dict) -> dict:
    """CSV cells are strings: themes separated by ; or |, generic as true/false/1/0."""
    parsed = dict(row)
    themes = (row.get("themes") or "").replace("|", ";")
    parsed["themes"] = [t.strip() for t in themes.split(";") if t.strip()]
    generic = (row.get("generic") or "").strip().lower()
    parsed["generic"] = {"true": True, "1": True, "false": False, "0": False}.get(generic, row.get("generic"))
    parsed["heading"] = row.get("heading") or None
    return parsed


def _parse(raw, where: str, require_labels: bool) -> tuple[LabelledUnit | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a JSON object, got {type(raw).__name__}"]
    errors = []
    unit_id = raw.get("id")
    text = raw.get("text")
    if not isinstance(unit_id, (str, int)) or str(unit_id).strip() == "":
        errors.append(f"{where}: field 'id': missing or empty")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{where}: field 'text': missing or empty")
    section = raw.get("section") or "unknown"
    if section not in SECTIONS:
        errors.append(f"{where}: field 'section': unknown section {section!r}; expected one of {list(SECTIONS)}")
    heading = raw.get("heading")
    if heading is not None and not isinstance(heading, str):
        errors.append(f"{where}: field 'heading': expected a string or null")
    role, themes, generic = raw.get("role"), raw.get("themes"), raw.get("generic")
    if require_labels or role is not None:
        if role not in ROLES:
            errors.append(f"{where}: field 'role': bad role {role!r}; expected one of {list(ROLES)}")
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            errors.append(f"{where}: field 'themes': expected a list of theme ids")
        else:
            errors.extend(f"{where}: field 'themes': unknown theme {t!r}" for t in themes if t not in THEMES)
        if not isinstance(generic, bool):
            errors.append(f"{where}: field 'generic': expected true or false, got {generic!r}")
    if errors:
        return None, errors
    return LabelledUnit(str(unit_id), text, section, heading, role, tuple(sorted(set(themes))),
                        generic, where), []


def _cross_unit_problems(units: Sequence[LabelledUnit]) -> list[str]:
    """Duplicate ids, and the same text carrying different labels."""
    problems = []
    first_by_id: dict[str, LabelledUnit] = {}
    first_by_text: dict[tuple[str, str | None], LabelledUnit] = {}
    for unit in units:
        if unit.id in first_by_id:
            problems.append(f"{unit.where}: field 'id': duplicate id {unit.id!r} (first at {first_by_id[unit.id].where})")
        else:
            first_by_id[unit.id] = unit
        key = (clean_text(unit.text), unit.heading)
        other = first_by_text.get(key)
        if other is None:
            first_by_text[key] = unit
        elif (other.role, other.themes, other.generic) != (unit.role, unit.themes, unit.generic):
            problems.append(f"{unit.where}: same text and heading as {other.where} with conflicting labels "
                            f"({_labels(unit)} vs {_labels(other)})")
    return problems


def _labels(unit: LabelledUnit) -> str:
    return f"role={unit.role} themes={list(unit.themes)} generic={unit.generic}"


def deduplicate(units: Sequence[LabelledUnit]) -> list[LabelledUnit]:
    """Drop exact repeats (same normalised text and heading, same labels), keeping the first."""
    seen, kept = set(), []
    for unit in units:
        key = (clean_text(unit.text), unit.heading)
        if key not in seen:
            seen.add(key)
            kept.append(unit)
    return kept


def label_matrix(units: Sequence[LabelledUnit]) -> np.ndarray:
    """Themes, roles and generic as one binary matrix: what stratified splits balance."""
    columns = [*THEMES, *ROLES, "generic"]
    matrix = np.zeros((len(units), len(columns)), dtype=int)
    for i, unit in enumerate(units):
        for theme in unit.themes:
            matrix[i, columns.index(theme)] = 1
        matrix[i, columns.index(unit.role)] = 1
        matrix[i, -1] = int(unit.generic)
    return matrix


def stratified_folds(units: Sequence[LabelledUnit], n_splits: int = 5, random_state: int = 0):
    """K folds balanced over every theme, role and generic (iterative stratification)."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    folds = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return list(folds.split(np.zeros(len(units)), label_matrix(units)))


def train_test_split(units: Sequence[LabelledUnit], test_size: float = 0.2, random_state: int = 0):
    """One stratified split: (train_units, test_units)."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train, test = next(splitter.split(np.zeros(len(units)), label_matrix(units)))
    return [units[i] for i in train], [units[i] for i in test]


def statistics(units: Sequence[LabelledUnit]) -> dict:
    """Counts a corpus author checks against the coverage targets."""
    by_theme_role = Counter((t, u.role) for u in units for t in u.themes)
    lengths = sorted(len(u.text) for u in units)
    return {
        "units": len(units),
        "roles": dict(Counter(u.role for u in units)),
        "sections": dict(Counter(u.section for u in units)),
        "generic": sum(u.generic for u in units),
        "themes": {t: {"total": sum(by_theme_role[(t, r)] for r in ROLES),
                       **{r: by_theme_role[(t, r)] for r in ROLES}} for t in THEMES},
        "no_theme": sum(not u.themes for u in units),
        "overview_statements_with_themes": sum(u.section == "overview" and u.role == "statement" and bool(u.themes)
                                               for u in units),
        "text_length": {"min": lengths[0], "median": lengths[len(lengths) // 2], "max": lengths[-1]} if lengths else {},
    }
