"""Analyse one report end to end: read → segment → units → classify → flags → score.

    >>> analysis = gipnlp.analyze("report.pdf")
    >>> analysis.score.total, [f.code for f in analysis.flags]
"""
from __future__ import annotations

import re
from pathlib import Path

from . import flags as content_flags
from . import io as gio
from . import models, tables
from . import units as unit_splitter
from .api import require_report
from .limits import Limits
from .score import score as compute_score
from .segment import report_year, segment
from .types import Analysis, Document, Segmentation, TaggedUnit

_TITLE = re.compile(r"^(.{2,40}?)(?:20\d\d|二〇.{2})年度?(?:政府信息公开|政务公开|信息公开)")
_TITLE_YEAR_FIRST = re.compile(r"^(?:20\d\d)年度?(.{2,40}?)(?:政府信息公开|政务公开|信息公开)")
# Structural flags the content checks replace with a refined version.
_REFINED = {"overview_subsection_missing"}


def report_agency(seg: Segmentation) -> str | None:
    """The publishing agency, from the title line when it names one."""
    first_lines = [line for line in seg.text.split("\n")[:3] if line.strip()]
    for line in first_lines:
        compact = re.sub(r"\s", "", line)
        match = _TITLE.match(compact) or _TITLE_YEAR_FIRST.match(compact)
        if match:
            agency = match.group(1).strip("《》“”\"")
            if agency and not re.fullmatch(r"[关于本年度的]+", agency):
                return agency
    return None


def analyze(document: Document | str | Path, *, tagger: models.Tagger | None = None, index=None,
            limits: Limits = Limits()) -> Analysis:
    """Analyse a report given as a `Document` or a path; `index` is a loaded index.UnitIndex."""
    if not isinstance(document, Document):
        document = gio.read(document, max_bytes=limits.max_bytes)
    return analyze_many([document], tagger=tagger, index=index, limits=limits)[0]


def analyze_many(documents: list[Document], *, tagger: models.Tagger | None = None, index=None,
                 limits: Limits = Limits()) -> list[Analysis]:
    """Analyse several documents, classifying all their units in one call (much faster per report).

    Raises NotAReportError for the first document that is not an annual report, and
    LimitExceededError for one beyond `limits`.
    """
    tagger = tagger or default_tagger()
    prepared = []
    for document in documents:
        deadline = limits.deadline(document.source)
        seg = segment(document)
        require_report(seg)
        deadline.check("segmentation")
        units = unit_splitter.split(seg)
        limits.check_units(len(units), document.source)
        prepared.append((seg, units))
    all_units = [u for _, units in prepared for u in units]
    predictions = iter(tagger.predict([{"text": u.text, "section": u.section, "heading": u.heading}
                                       for u in all_units]))
    return [_finish(seg, tuple(TaggedUnit(u, next(predictions)) for u in units), index) for seg, units in prepared]


def _finish(seg: Segmentation, tagged: tuple[TaggedUnit, ...], index) -> Analysis:
    agency, year = report_agency(seg), report_year(seg.text)
    found = [f for f in seg.flags if f.code not in _REFINED]
    found += content_flags.check(seg, tagged)
    found += tables.check(seg).flags
    if index is not None:
        found += index.check(seg.text, agency, year, [t.unit for t in tagged])
    return Analysis(seg.source, agency, year, seg, tagged, tuple(found), compute_score(found))


_default = {}


def default_tagger() -> models.Tagger:
    """The bundled model, loaded (and verified) once per process."""
    if "tagger" not in _default:
        _default["tagger"] = models.load()
    return _default["tagger"]
