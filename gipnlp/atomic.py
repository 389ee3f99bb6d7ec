"""Atomic file writes: a temporary file in the same folder, fsynced, then renamed into place.

Readers never see a half-written file, and a crash leaves the previous version intact.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w", encoding: str | None = "utf-8"):
    """Open a temporary file for writing; on success it replaces `path`, on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, content: bytes) -> None:
    with atomic_writer(path, "wb") as handle:
        handle.write(content)


def write_text(path: str | Path, content: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(content)
