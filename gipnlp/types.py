"""The data model: one frozen dataclass per box in the pipeline.

    path ─io.read─▶ Document ─normalize─▶ str ─segment─▶ Segmentation ─units.split─▶ Unit
         ─models.Tagger─▶ Prediction ─flags.check─▶ Flag ─score.score─▶ Score ─▶ Analysis

Spans are (start, end) character offsets into the normalised text held by `Segmentation.text`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

Span = tuple[int, int]


@dataclass(frozen=True)
class Table:
    """A table as read from DOCX or HTML: rows of cell strings in document order."""

    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Document:
    """A report as read from disk, before normalisation.

    `text` holds the whole document as text; tables are rendered into it one row per line with
    cells separated by tab characters, so that text-only consumers still see them in place.
    """

    source: str
    kind: str  # "txt" | "docx" | "pdf" | "html"
    text: str
    tables: tuple[Table, ...] = ()
    encoding: str | None = None


@dataclass(frozen=True)
class Flag:
    """A finding an auditor should see. severity: "error" | "warning" | "info"."""

    code: str
    severity: str
    message: str
    evidence: tuple[str, ...] = ()
    value: float | None = None  # a measured quantity the score uses (e.g. a boilerplate share)

    def to_dict(self) -> dict:
        result = {"code": self.code, "severity": self.severity, "message": self.message,
                  "evidence": list(self.evidence)}
        if self.value is not None:
            result["value"] = self.value
        return result


@dataclass(frozen=True)
class Subsection:
    id: str  # active | requests | management | platform | supervision | extra
    heading: str
    span: Span
    text: str


@dataclass(frozen=True)
class Section:
    id: str  # intro | overview | active_disclosure | applications | review_litigation | problems | other
    heading: str
    inferred: bool
    span: Span
    text: str
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True)
class Segmentation:
    source: str
    format_version: str  # "2021" | "2019" | "2008" | "unknown"
    text: str  # the normalised text that all spans point into
    sections: tuple[Section, ...]
    flags: tuple[Flag, ...] = ()
    report_confidence: float = 1.0  # how sure we are that this is an annual report at all

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


@dataclass(frozen=True)
class Unit:
    """The smallest piece of narrative that states one thing (taxonomy.md §1)."""

    text: str
    section: str
    subsection: str | None
    heading: str | None
    span: Span


@dataclass(frozen=True)
class Prediction:
    role: str
    themes: tuple[str, ...]
    generic: bool
    role_scores: Mapping[str, float] = field(default_factory=dict)
    theme_scores: Mapping[str, float] = field(default_factory=dict)
    generic_score: float = 0.0

    def to_dict(self) -> dict:
        return {"role": self.role, "themes": list(self.themes), "generic": self.generic,
                "scores": {"role": dict(self.role_scores), "themes": dict(self.theme_scores),
                           "generic": self.generic_score}}


@dataclass(frozen=True)
class TaggedUnit:
    unit: Unit
    prediction: Prediction


@dataclass(frozen=True)
class Deduction:
    flag: str  # the flag code that cost the points
    points: float
    reason: str


@dataclass(frozen=True)
class ScoreComponent:
    name: str
    weight: float  # maximum points this component contributes
    points: float  # points kept after deductions
    deductions: tuple[Deduction, ...] = ()


@dataclass(frozen=True)
class Score:
    total: float
    components: tuple[ScoreComponent, ...]


@dataclass(frozen=True)
class Analysis:
    source: str
    agency: str | None
    year: int | None
    segmentation: Segmentation
    units: tuple[TaggedUnit, ...]
    flags: tuple[Flag, ...]
    score: Score
