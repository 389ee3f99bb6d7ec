"""Exceptions gipnlp raises for problems a user can act on.

Every error names the file (and line or field when known) and says what was expected, so the CLI
can print one line and exit with a documented code instead of a traceback.
"""
from __future__ import annotations


class GipnlpError(Exception):
    """Base class: a problem with the user's input, corpus or model, not a bug in gipnlp."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class InputError(GipnlpError):
    """A document that cannot be read or is not what gipnlp reads."""


class NotAReportError(InputError):
    """Readable Chinese text that is not a government information-disclosure annual report."""

    def __init__(self, message: str, *, path: str | None = None, confidence: float = 0.0):
        self.confidence = confidence
        super().__init__(message, path=path)


class LimitExceededError(InputError):
    """An input larger or slower than the configured limits allow."""


class CorpusError(GipnlpError):
    """A labelled corpus with invalid lines; `problems` lists every bad line, not just the first."""

    def __init__(self, problems: list[str], *, path: str | None = None):
        self.problems = list(problems)
        head = f"{len(self.problems)} invalid corpus line(s)"
        shown = "\n  ".join(self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{head}:\n  {shown}{more}", path=path)


class ModelError(GipnlpError):
    """A model folder that is missing, tampered with, stale or unreadable."""
