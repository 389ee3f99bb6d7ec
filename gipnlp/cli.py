"""The `gipnlp` command: a thin typer layer over gipnlp.api and friends.

Exit codes: 0 ok; 1 findings at or above --fail-on; 2 bad input or usage; 3 internal error.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .card import DEFAULT_MODEL_DIR, verify
from .errors import GipnlpError
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, DEFAULT_MAX_UNITS

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read Chinese government information-disclosure annual reports.")

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 1, 2, 3
MAX_BYTES_HELP = "Refuse input files larger than this many bytes."
MAX_UNITS_HELP = "Refuse reports with more narrative units than this."
MAX_SECONDS_HELP = "Stop analysing a report after this many seconds."


class SegmentFormat(str, Enum):
    json = "json"
    text = "text"


def _echo_json(payload, stream=None) -> None:
    (stream or sys.stdout).write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _progress(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def segment(file: Path = typer.Argument(..., help="Report: .txt .docx .pdf .html .htm"),
            format: SegmentFormat = typer.Option(SegmentFormat.json, "--format", "-f"),
            max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, help=MAX_BYTES_HELP)):
    """Split a report into its statutory sections and overview subsections."""
    from . import api

    seg = api.segment_file(file, max_bytes=max_bytes)
    if format is SegmentFormat.json:
        _echo_json(api.segmentation_dict(seg))
    else:
        typer.echo(api.segmentation_text(seg))


@app.command()
def train(corpus: List[Path] = typer.Argument(..., help="Corpus files or folders (*.jsonl, *.csv)"),
          out: Path = typer.Option(..., "--out", help="Model folder to write (replaced atomically)"),
          folds: int = typer.Option(5, help="Cross-validation folds (0 or 1: skip cross-validation)"),
          seed: int = typer.Option(0, help="Random seed for folds and classifiers"),
          jobs: int = typer.Option(2, "--jobs", "-j", help="Cross-validation folds run in parallel")):
    """Cross-validate on a labelled corpus, fit on all of it and save a model folder."""
    from . import training

    card = training.train(corpus, out, folds=folds, random_state=seed, jobs=jobs, progress=_progress)
    if card.get("cv_metrics"):
        typer.echo(f"{folds}-fold cross-validation on the training corpus (not evidence of accuracy on real reports):")
        typer.echo(training.format_table(card["cv_metrics"]))
    typer.echo(f"model written to {out}")


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def evaluate(corpus: List[Path] = typer.Argument(..., help="Labelled units the model was not trained on"),
             model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled)"),
             format: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f"),
             allow_overlap: bool = typer.Option(False, help="Evaluate even units that overlap the training data")):
    """Precision/recall/F1 of a model on a labelled file."""
    from . import training

    result = training.evaluate(corpus, model, allow_overlap=allow_overlap)
    if format is ReportFormat.json:
        _echo_json(result)
    else:
        typer.echo(training.format_table(result))


@app.command()
def tag(input: str = typer.Option("-", "--input", "-i", help="JSONL units ({id, text, section?, heading?}) or -"),
        output: str = typer.Option("-", "--output", "-o", help="Where to write JSONL predictions, or -"),
        model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled)"),
        batch_size: int = typer.Option(2000, help="Units classified per batch")):
    """Classify units: role, themes, generic, with scores."""
    from . import api, models
    from .atomic import atomic_writer

    verify(model or DEFAULT_MODEL_DIR)  # a bad model fails before the input is read
    source = "<stdin>" if input == "-" else input
    handle = sys.stdin if input == "-" else _open_text(input)
    records = list(api.read_tag_input(handle, source))  # bad input fails before the model is unpickled
    tagger = models.load(model)
    sink = atomic_writer(output) if output != "-" else nullcontext(sys.stdout)
    with sink as out:
        for start in range(0, len(records), batch_size):
            for row in api.tag_records(records[start:start + batch_size], tagger):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


class AnalyzeFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class FailOn(str, Enum):
    never = "never"
    error = "error"
    warning = "warning"


@app.command()
def analyze(files: List[Path] = typer.Argument(..., help="Reports to analyse"),
            format: AnalyzeFormat = typer.Option(AnalyzeFormat.text, "--format", "-f"),
            model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled)"),
            index: Optional[Path] = typer.Option(None, "--index", help="Index folder from `gipnlp index build`"),
            out: Optional[Path] = typer.Option(None, "--out", "-o",
                                               help="Write here instead of stdout (a folder for several HTML pages)"),
            fail_on: FailOn = typer.Option(FailOn.never, help="Exit 1 when a flag of this severity or worse is raised"),
            max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, help=MAX_BYTES_HELP),
            max_units: int = typer.Option(DEFAULT_MAX_UNITS, help=MAX_UNITS_HELP),
            max_seconds: float = typer.Option(DEFAULT_MAX_SECONDS, help=MAX_SECONDS_HELP)):
    """Flags, unit classes and an explainable quality score for each report."""
    from . import io as gio
    from . import models, render
    from .analyze import analyze as analyze_report
    from .index import UnitIndex
    from .limits import Limits

    limits = Limits(max_bytes, max_units, max_seconds)
    documents = [gio.read(f, max_bytes=limits.max_bytes) for f in files]  # bad files fail before the model loads
    tagger = models.load(model)
    unit_index = UnitIndex.load(index) if index else None
    analyses = [analyze_report(d, tagger=tagger, index=unit_index, limits=limits) for d in documents]
    if format is AnalyzeFormat.json:
        payload = [render.analysis_dict(a) for a in analyses]
        _write_output(json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2) + "\n", out)
    elif format is AnalyzeFormat.text:
        _write_output("\n\n".join(render.analysis_text(a) for a in analyses) + "\n", out)
    else:
        _write_html(analyses, out)
    worst = {"error": 0, "warning": 1, "info": 2}
    threshold = {"never": -1, "error": 0, "warning": 1}[fail_on.value]
    if any(worst.get(f.severity, 3) <= threshold for a in analyses for f in a.flags):
        raise typer.Exit(EXIT_FINDINGS)


def _write_output(content: str, out: Optional[Path]) -> None:
    from .atomic import write_text

    if out is None:
        sys.stdout.write(content)
    else:
        write_text(out, content)


def _write_html(analyses, out: Optional[Path]) -> None:
    from . import render
    from .atomic import write_text

    if len(analyses) == 1:
        _write_output(render.analysis_html(analyses[0]), out)
        return
    if out is None:
        raise typer.BadParameter("several reports as HTML need --out FOLDER (one page per report)")
    for analysis in analyses:
        write_text(Path(out) / (Path(analysis.source).stem + ".html"), render.analysis_html(analysis))


index_app = typer.Typer(help="Near-duplicate index of report units (template text, repeats).", no_args_is_help=True)
app.add_typer(index_app, name="index")


@index_app.command("build")
def index_build(folders: List[Path] = typer.Argument(..., help="Folders (or files) of reports"),
                out: Path = typer.Option(..., "--out", help="Index folder to write")):
    """Index the units of every report under the given folders."""
    from . import io as gio
    from . import units as unit_splitter
    from .analyze import report_agency
    from .api import require_report
    from .index import build_from_paths
    from .segment import report_year
    from .segment import segment as segment_doc
    from .walk import report_paths

    def analyse(path):
        seg = segment_doc(gio.read(path))
        require_report(seg)
        return str(path), report_agency(seg), report_year(seg.text), seg.text, unit_splitter.split(seg)

    paths = report_paths(folders)
    built = build_from_paths(paths, _safe(analyse), progress=lambda n, total, path: _progress(f"[{n}/{total}] {path}"))
    built.save(out)
    typer.echo(f"indexed {len(built.units)} units of {len(built.reports)} reports into {out}")


def _safe(analyse):
    """Index what can be read; a bad file is reported and skipped."""
    def wrapped(path):
        try:
            return analyse(path)
        except GipnlpError as error:
            _progress(f"skipped: {error}")
            return str(path), None, None, "", []
    return wrapped


corpus_app = typer.Typer(help="Labelled corpora: validate and describe.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


@corpus_app.command("stats")
def corpus_stats(corpus: List[Path] = typer.Argument(...)):
    """Validate a corpus and print its statistics as JSON (every bad line is listed on failure)."""
    from . import corpus as corpus_mod

    units = corpus_mod.load(corpus)
    _echo_json({"sha256": corpus_mod.corpus_hash(corpus), **corpus_mod.statistics(units)})


class Backend(str, Enum):
    loky = "loky"
    dask = "dask"


@app.command()
def batch(inputs: List[Path] = typer.Argument(..., help="Report files or folders (walked for txt/pdf/docx/html)"),
          out: Path = typer.Option(..., "--out", help="Results store (SQLite file; created if absent)"),
          jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes"),
          backend: Backend = typer.Option(Backend.loky, help="loky (this machine) or dask (a Dask cluster)"),
          scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786; "
                                                  "without it --backend dask starts a local cluster"),
          model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: bundled)"),
          max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, help=MAX_BYTES_HELP)):
    """Analyse every report into a results store; re-runs skip what is stored."""
    from . import batch as batch_mod

    progress = batch_mod.terminal_progress() if sys.stderr.isatty() else None
    summary = batch_mod.run(inputs, out, jobs=jobs, backend=backend.value, scheduler=scheduler, model_dir=model,
                            max_bytes=max_bytes, progress=progress)
    if progress:
        sys.stderr.write("\n")
    typer.echo(batch_mod.summary_json(summary))
    if summary.interrupted:
        typer.echo("gipnlp: interrupted; everything written so far is kept — run the same command to continue",
                   err=True)
        raise typer.Exit(130)


class FilterFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    parquet = "parquet"


@app.command("filter")
def filter_store(store: Path = typer.Argument(..., help="Results store made by `gipnlp batch`"),
                 theme: List[str] = typer.Option([], "--theme", help="Theme id (repeatable: all must match)"),
                 role: Optional[str] = typer.Option(None, "--role", help="problem | measure | statement"),
                 flag: List[str] = typer.Option([], "--flag", help="Flag code (repeatable: all must be raised)"),
                 min_score: Optional[float] = typer.Option(None), max_score: Optional[float] = typer.Option(None),
                 agency: Optional[str] = typer.Option(None, help="Substring of the agency name"),
                 year: Optional[int] = typer.Option(None),
                 text: Optional[str] = typer.Option(None, help="Full-text search over unit text"),
                 units: bool = typer.Option(False, "--units", help="List matching units instead of reports"),
                 format: FilterFormat = typer.Option(FilterFormat.table, "--format", "-f"),
                 out: Optional[Path] = typer.Option(None, "--out", "-o")):
    """Reports (or units) that match every condition, with the evidence units."""
    from . import query

    conditions = query.Conditions(tuple(theme), role, tuple(flag), min_score, max_score, agency, year, text)
    result = query.run(store, conditions, units=units)
    text_out = query.write(result, format.value, out)
    if text_out is not None:
        sys.stdout.write(text_out)
    elif out is not None:
        typer.echo(f"{len(result.rows)} rows written to {out}", err=True)


@app.command()
def report(store: Path = typer.Argument(..., help="Results store made by `gipnlp batch`"),
           out: Path = typer.Option(..., "--out", help="HTML file to write")):
    """One self-contained HTML page with charts and a sortable table of reports."""
    from . import corpus_report

    data = corpus_report.write(store, out)
    typer.echo(f"{data['reports']} reports summarised in {out}")


def _open_text(path: str):
    from .errors import InputError

    try:
        return open(path, encoding="utf-8-sig")
    except OSError as error:
        raise InputError(f"cannot open ({error.strerror})", path=path) from None


def _exit_code_for(error: Exception) -> int:
    # typer vendors click, so its usage errors are recognised by shape rather than by class.
    name = type(error).__name__
    if name == "Exit":
        return int(getattr(error, "exit_code", 0))
    if name == "Abort":
        return 130
    if hasattr(error, "show") and hasattr(error, "exit_code"):
        error.show()
        return EXIT_BAD_INPUT
    if os.environ.get("GIPNLP_DEBUG"):
        raise error
    typer.echo(f"gipnlp: internal error: {name}: {error} (set GIPNLP_DEBUG=1 for a traceback and report it)",
               err=True)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    """Console entry point: user errors become one line and exit code 2, never a traceback."""
    try:
        result = app(args=argv, standalone_mode=False)
    except GipnlpError as error:
        typer.echo(f"gipnlp: error: {error}", err=True)
        return error.exit_code
    except KeyboardInterrupt:
        typer.echo("gipnlp: interrupted", err=True)
        return 130
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except Exception as error:  # noqa: BLE001 — the one place that turns bugs into exit code 3
        return _exit_code_for(error)
    return result if isinstance(result, int) else 0  # click returns typer.Exit's code in this mode

