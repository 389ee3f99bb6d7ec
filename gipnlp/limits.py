"""Resource limits for one report, configurable and enforced with a clear message.

The pipeline is linear in the size of its input, so a deadline checked between stages is enough
to stop a report that would take unreasonably long, without threads or signals.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import LimitExceededError

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_UNITS = 5000
DEFAULT_MAX_SECONDS = 120.0


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES  # file size read from disk
    max_units: int = DEFAULT_MAX_UNITS  # narrative units in one report
    max_seconds: float = DEFAULT_MAX_SECONDS  # wall time for one report

    def deadline(self, source: str) -> "Deadline":
        return Deadline(source, self.max_seconds, time.monotonic() + self.max_seconds)

    def check_units(self, count: int, source: str) -> None:
        if count > self.max_units:
            raise LimitExceededError(f"{count} units exceed the limit of {self.max_units} per report "
                                     "(raise it with --max-units)", path=source)


@dataclass(frozen=True)
class Deadline:
    source: str
    seconds: float
    at: float

    def check(self, stage: str) -> None:
        if time.monotonic() > self.at:
            raise LimitExceededError(f"took longer than {self.seconds:g} s (stopped after {stage}; "
                                     "raise the limit with --max-seconds)", path=self.source)
