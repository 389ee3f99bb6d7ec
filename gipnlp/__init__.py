"""gipnlp — read Chinese government information-disclosure annual reports.

    >>> import gipnlp
    >>> doc = gipnlp.read("report.pdf")
    >>> seg = gipnlp.segment(doc)
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import CorpusError, GipnlpError, InputError, ModelError, NotAReportError
try:
    from .io import read
except ImportError:  # TEMP until io lands
    read = None
from .normalize import normalize
from .segment import segment

__all__ = ["read", "normalize", "segment", "GipnlpError", "InputError", "NotAReportError",
           "CorpusError", "ModelError", "__version__"]
