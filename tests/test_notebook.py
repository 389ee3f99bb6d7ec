"""notebooks/corpus_overview.ipynb runs headless (nbclient, python3 kernel) against a store made by
`gipnlp batch`, and shows the five charts and the reports table."""
from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from conftest import ROOT
from test_batch import corpus_store

try:
    import ipykernel  # noqa: F401  (the kernel nbclient starts)
    import nbformat
    from nbclient import NotebookClient
except ImportError as missing:
    pytest.skip(f"running notebooks needs nbclient, nbformat and ipykernel (the `test` extra): {missing}",
                allow_module_level=True)

NOTEBOOK = ROOT / "notebooks" / "corpus_overview.ipynb"
CHARTS = 5
CELL_TIMEOUT = 120


def test_notebook_runs_headless_with_charts_and_table(tmp_path_factory, tmp_path, monkeypatch):
    _, store, _ = corpus_store(tmp_path_factory)
    with closing(sqlite3.connect(store)) as connection:
        reports = connection.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        agencies = {a for (a,) in connection.execute("SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL")}
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("GIPNLP_STORE", str(store))  # the kernel inherits the environment
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert f"{store}: {reports} reports" in text and "pandas and the HTML report agree" in text
    rich = [o.data for o in outputs if o.output_type in ("display_data", "execute_result")]
    pictures = [d for d in rich if "image/png" in d or "<svg" in d.get("text/html", "")]
    assert len(pictures) == CHARTS
    table = next(d["text/html"] for d in reversed(rich) if "<table" in d.get("text/html", ""))
    assert f"{reports} rows" in table or table.count("<tr") == reports + 1
    assert agencies and all(agency in table for agency in agencies)
