"""gipnlp — read Chinese government information-disclosure annual reports.

    >>> import gipnlp
    >>> doc = gipnlp.read("report.pdf")            # Document
    >>> seg = gipnlp.segment(doc)                  # Segmentation: sections, subsections, flags
    >>> analysis = gipnlp.analyze("report.pdf")    # units, predictions, flags, score
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import CorpusError, GipnlpError, InputError, ModelError, NotAReportError
from .io import read
from .normalize import normalize
from .segment import segment
from .units import split as split_units


def analyze(document, **options):
    """Analyse one report (a path or a Document); see gipnlp.analyze.analyze for options."""
    from .analyze import analyze as _analyze

    return _analyze(document, **options)


def load_model(model_dir=None):
    """The verified Tagger in `model_dir` (default: the bundled model)."""
    from .models import load

    return load(model_dir)


__all__ = ["read", "normalize", "segment", "split_units", "analyze", "load_model", "GipnlpError",
           "InputError", "NotAReportError", "CorpusError", "ModelError", "__version__"]
