"""Pure functions behind the CLI: each takes paths or records and returns plain dicts.

The CLI only parses arguments, calls these and prints; tests call these directly.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from . import io as gio
from .errors import InputError, NotAReportError
from .segment import NOT_A_REPORT_BELOW, segment
from .types import Segmentation


def segmentation_dict(seg: Segmentation) -> dict:
    return {
        "source": seg.source,
        "format_version": seg.format_version,
        "report_confidence": seg.report_confidence,
        "sections": [{
            "id": s.id, "heading": s.heading, "inferred": s.inferred, "span": list(s.span), "text": s.text,
            "subsections": [{"id": ss.id, "heading": ss.heading, "span": list(ss.span), "text": ss.text}
                            for ss in s.subsections],
        } for s in seg.sections],
        "flags": [f.to_dict() for f in seg.flags],
    }


def segment_file(path: str | Path, *, max_bytes: int = gio.DEFAULT_MAX_BYTES) -> Segmentation:
    """Read and segment one report; a text that is no annual report raises NotAReportError."""
    document = gio.read(path, max_bytes=max_bytes)
    seg = segment(document)
    require_report(seg)
    return seg


def require_report(seg: Segmentation) -> None:
    if seg.report_confidence < NOT_A_REPORT_BELOW:
        raise NotAReportError(
            f"does not look like a government information-disclosure annual report "
            f"(confidence {seg.report_confidence:.2f} < {NOT_A_REPORT_BELOW}); no sections were claimed",
            path=seg.source, confidence=seg.report_confidence)


def segmentation_text(seg: Segmentation) -> str:
    """A compact human-readable outline of a segmentation."""
    lines = [f"{seg.source}  (format {seg.format_version}, confidence {seg.report_confidence:.2f})"]
    for s in seg.sections:
        mark = " [inferred]" if s.inferred else ""
        lines.append(f"  {s.id:<18} {s.heading or '(no heading)'}{mark}  {len(s.text)} chars")
        for ss in s.subsections:
            lines.append(f"      {ss.id:<14} {ss.heading}  {len(ss.text)} chars")
    for f in seg.flags:
        lines.append(f"  ! {f.severity:<7} {f.code}: {f.message}")
    return "\n".join(lines)


def read_tag_input(lines: Iterable[str], source: str) -> Iterator[dict]:
    """Parse `gipnlp tag` input: JSONL {"id", "text", "section"?, "heading"?}, errors name the line."""
    for number, line in enumerate(_decoded(lines, source), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON ({error.msg} at column {error.colno}); expected one object per line",
                             path=source, line=number) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError("expected an object with a string field 'text'", path=source, line=number)
        record.setdefault("id", number)
        yield record


def _decoded(lines: Iterable[str], source: str) -> Iterator[str]:
    iterator = iter(lines)
    number = 0
    while True:
        number += 1
        try:
            yield next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise InputError(f"is not UTF-8 text ({error.reason}); expected JSON Lines", path=source,
                             line=number) from None


def tag_records(records: list[dict], tagger) -> list[dict]:
    """One output dict per input record, in order."""
    predictions = tagger.predict(records)
    return [{"id": record.get("id"), **prediction.to_dict()} for record, prediction in zip(records, predictions)]
