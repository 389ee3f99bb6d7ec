"""Find report files under folders, in a stable order."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .errors import InputError

REPORT_SUFFIXES = (".txt", ".pdf", ".docx", ".html", ".htm")


def report_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Files given directly, plus every report file below given folders (sorted, hidden files skipped)."""
    found: list[Path] = []
    for item in map(Path, inputs):
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*")
                                if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(item).parts)))
        elif item.is_file():
            found.append(item)
        else:
            raise InputError("no such file or folder", path=str(item))
    return found
