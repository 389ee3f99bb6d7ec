"""A near-duplicate index of report units (MinHash LSH over character shingles, via datasketch).

Built once over a folder of reports (`gipnlp index build DIR --out IDX`), it answers two questions
for a report being analysed:
- template_text: which of its units stand near-verbatim in reports of other agencies;
- repeated_from_previous_year: which sections repeat more than half of the same agency's
  previous-year report.
On disk an index is a folder with index.json (documents and units) and signatures.npy (MinHash
values); neither format executes code when loaded.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from . import atomic
from .errors import InputError
from .types import Flag, Unit

NUM_PERM = 64
SHINGLE = 5
SIMILARITY = 0.8  # estimated Jaccard at which two units count as the same text
MIN_UNIT_CHARS = 15  # shorter units ("一是加强学习。") are too common to mean anything
TEMPLATE_MIN_AGENCIES = 1  # other agencies a unit must appear in to count as template text
REPEAT_SHARE = 0.5  # a section repeating more than this share of last year's is flagged
INDEX_VERSION = 1
_SCHEME = "affine32"  # datasketch's hashing scheme for MinHash(seed=1); stored signatures depend on it


def _key(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def signature(text: str) -> np.ndarray:
    from datasketch import MinHash

    key = _key(text)
    shingles = {key[i:i + SHINGLE] for i in range(max(len(key) - SHINGLE + 1, 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash.hashvalues.astype(np.uint64)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IndexedReport:
    doc: int
    source: str
    agency: str | None
    year: int | None
    content_hash: str


class UnitIndex:
    """Units of many reports with their MinHash signatures and an LSH table for lookups."""

    def __init__(self, reports: list[IndexedReport], units: list[dict], signatures: np.ndarray):
        from datasketch import MinHashLSH

        self.reports = reports
        self.units = units  # {"doc", "section", "text"}
        self.signatures = signatures
        self._lsh = MinHashLSH(threshold=SIMILARITY, num_perm=NUM_PERM)
        for number, values in enumerate(signatures):
            self._lsh.insert(str(number), _lean(values), check_duplication=False)

    # ------------------------------------------------------------ building and storage

    @classmethod
    def build(cls, analysed: Iterable[tuple[str, str | None, int | None, str, Sequence[Unit]]]) -> "UnitIndex":
        """From (source, agency, year, normalised_text, units) of each report."""
        reports, units, signatures = [], [], []
        for doc, (source, agency, year, text, report_units) in enumerate(analysed):
            reports.append(IndexedReport(doc, source, agency, year, content_hash(text)))
            for unit in report_units:
                if len(_key(unit.text)) >= MIN_UNIT_CHARS:
                    units.append({"doc": doc, "section": unit.section, "text": unit.text})
                    signatures.append(signature(unit.text))
        matrix = np.vstack(signatures) if signatures else np.zeros((0, NUM_PERM), dtype=np.uint64)
        return cls(reports, units, matrix)

    def save(self, out_dir: str | Path) -> Path:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        meta = {"version": INDEX_VERSION, "num_perm": NUM_PERM, "shingle": SHINGLE,
                "reports": [r.__dict__ for r in self.reports], "units": self.units}
        with atomic.atomic_writer(out_dir / "signatures.npy", "wb") as handle:
            np.save(handle, self.signatures, allow_pickle=False)
        atomic.write_text(out_dir / "index.json", json.dumps(meta, ensure_ascii=False))
        return out_dir

    @classmethod
    def load(cls, index_dir: str | Path) -> "UnitIndex":
        index_dir = Path(index_dir)
        try:
            meta = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))
            signatures = np.load(index_dir / "signatures.npy", allow_pickle=False)
        except FileNotFoundError as error:
            raise InputError(f"not an index folder: {Path(error.filename).name} is missing "
                             "(build one with `gipnlp index build DIR --out IDX`)", path=str(index_dir)) from None
        except (ValueError, json.JSONDecodeError, OSError) as error:
            raise InputError(f"index is damaged ({error})", path=str(index_dir)) from None
        if meta.get("version") != INDEX_VERSION or meta.get("num_perm") != NUM_PERM:
            raise InputError("index was built by another gipnlp version; rebuild it", path=str(index_dir))
        if len(meta["units"]) != len(signatures):
            raise InputError("index.json and signatures.npy disagree; rebuild the index", path=str(index_dir))
        return cls([IndexedReport(**r) for r in meta["reports"]], meta["units"], signatures)

    # ------------------------------------------------------------ queries

    def matches(self, text: str) -> list[int]:
        """Numbers of indexed units whose text is near-identical to `text`."""
        values = signature(text)
        candidates = [int(n) for n in self._lsh.query(_lean(values))]
        return [n for n in candidates if (self.signatures[n] == values).mean() >= SIMILARITY]

    def check(self, source_text: str, agency: str | None, year: int | None, units: Sequence[Unit]) -> list[Flag]:
        own = content_hash(source_text)
        own_docs = {r.doc for r in self.reports if r.content_hash == own}
        return self._template_flags(units, agency, own_docs) + self._previous_year_flags(units, agency, year)

    def _template_flags(self, units: Sequence[Unit], agency: str | None, own_docs: set[int]) -> list[Flag]:
        flags = []
        for unit in units:
            if len(_key(unit.text)) < MIN_UNIT_CHARS:
                continue
            matched = [self.reports[self.units[n]["doc"]] for n in self.matches(unit.text)]
            others = {r.agency or r.source for r in matched
                      if r.doc not in own_docs and not _same_agency(r.agency, agency)}
            if len(others) >= TEMPLATE_MIN_AGENCIES:
                flags.append(Flag("template_text", "warning",
                                  f"this {unit.section} unit stands near-verbatim in the reports of {len(others)} other "
                                  f"agenc{'y' if len(others) == 1 else 'ies'}: {', '.join(sorted(others)[:3])}",
                                  (unit.text,)))
        return flags

    def _previous_year_flags(self, units: Sequence[Unit], agency: str | None, year: int | None) -> list[Flag]:
        if agency is None or year is None:
            return []
        previous = [r.doc for r in self.reports if _same_agency(r.agency, agency) and r.year == year - 1]
        if not previous:
            return []
        flags = []
        for section in ("overview", "problems", "other"):
            members = [u for u in units if u.section == section and len(_key(u.text)) >= MIN_UNIT_CHARS]
            if not members:
                continue
            repeated = [u for u in members
                        if any(self.units[n]["doc"] in previous and self.units[n]["section"] == section
                               for n in self.matches(u.text))]
            share = len(repeated) / len(members)
            if share > REPEAT_SHARE:
                flags.append(Flag("repeated_from_previous_year", "warning",
                                  f"{share:.0%} of section '{section}' repeats the agency's {year - 1} report",
                                  tuple(u.text[:80] for u in repeated[:2]), value=round(share, 4)))
        return flags


def _same_agency(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and _key(a) == _key(b)


def _lean(values: np.ndarray):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=1, hashvalues=values, scheme=_SCHEME)


def build_from_paths(paths: Sequence[Path], analyse: Callable[[Path], tuple], progress=lambda *_: None) -> UnitIndex:
    """Index every readable report; `analyse(path)` returns (source, agency, year, text, units)."""
    def rows():
        for number, path in enumerate(paths, start=1):
            progress(number, len(paths), path)
            yield analyse(path)

    return UnitIndex.build(rows())
