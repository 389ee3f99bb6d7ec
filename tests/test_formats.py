"""The same report as UTF-8, GBK, UTF-16, DOCX, PDF and HTML gives the same sections."""
import pytest
from conftest import EXAMPLE
from doc_builders import write_docx, write_html, write_pdf
from probe_key import key

from gipnlp import read, segment

PDF_LINE_CHARS = 36  # what fits across an A4 page in 12 pt: longer lines wrap, as in real PDFs


def _lines() -> list[str]:
    return [line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _is_table_row(line: str) -> bool:
    cells = line.split()
    return len(cells) > 2 and all(c.replace(".", "").isdigit() for c in cells[1:])


def _wrapped(lines: list[str]) -> list[str]:
    return [line[i:i + PDF_LINE_CHARS] for line in lines for i in range(0, len(line), PDF_LINE_CHARS)]


def _table(lines):
    return [line.split() for line in lines]


def _build(kind: str, folder):
    lines = _lines()
    text = "\n".join(lines) + "\n"
    if kind in ("utf-8", "gbk", "utf-16"):
        path = folder / f"report-{kind}.txt"
        path.write_bytes(text.encode(kind))
    elif kind == "docx":
        path = write_docx(folder / "report.docx", lines)
    elif kind == "pdf":
        path = write_pdf(folder / "report.pdf", _wrapped(lines))
    else:
        path = write_html(folder / "report.html", lines)
    return path


def _outline(path) -> list[tuple[str, tuple[str, ...], str]]:
    seg = segment(read(path))
    return [(s.id, tuple(sub.id for sub in s.subsections), key(s.text)) for s in seg.sections]


@pytest.fixture(scope="module")
def reference():
    return _outline(EXAMPLE)


@pytest.mark.parametrize("kind", ["utf-8", "gbk", "utf-16", "docx", "pdf", "html"])
def test_every_format_gives_the_same_sections(kind, tmp_path, reference):
    outline = _outline(_build(kind, tmp_path))
    assert [(sid, subs) for sid, subs, _ in outline] == [(sid, subs) for sid, subs, _ in reference]
    for (sid, _, text), (_, _, expected) in zip(outline, reference):
        assert text == expected, sid


def test_docx_and_html_tables_are_read_as_rows(tmp_path):
    lines = _lines()
    rows = [line for line in lines if _is_table_row(line)]
    prose = [line for line in lines if not _is_table_row(line)]
    docx = write_docx(tmp_path / "tables.docx", prose, [_table(rows)], split_at=prose.index(next(
        line for line in prose if line.startswith("四、"))))
    document = read(docx)
    assert document.tables and len(document.tables[0].rows) == len(rows)
    html = write_html(tmp_path / "tables.html", prose, [_table(rows)])
    assert read(html).tables[0].rows[0] == tuple(rows[0].split())
