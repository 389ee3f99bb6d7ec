"""Build DOCX, PDF and HTML fixtures in code, so no binary documents live in the repository.

The sentences belong to a fictional agency (青山县示例局).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Sequence

Rows = Sequence[Sequence[str]]
Merge = tuple[int, int, int, int, int]  # (table index, row a, col a, row b, col b)

PARAGRAPHS = (
    "青山县示例局2023年政府信息公开工作年度报告",
    "一、总体情况",
    "本年度我局主动公开政府信息一百二十条。",
)
TABLE = (("信息内容", "本年制发件数", "本年废止件数"), ("规章", "0", "0"), ("规范性文件", "3", "1"))

_CJK_FONT = "STSong-Light"


def write_docx(path: Path, paragraphs: Sequence[str], tables: Sequence[Rows] = (), *,
               split_at: int | None = None, merges: Sequence[Merge] = (),
               content_control: bool = False) -> Path:
    """paragraphs[:split_at], then the tables, then paragraphs[split_at:] (default: tables last).

    `merges` merges table cells; `content_control` wraps the first paragraph in a <w:sdt>.
    """
    import docx

    split_at = len(paragraphs) if split_at is None else split_at
    document = docx.Document()
    for text in paragraphs[:split_at]:
        document.add_paragraph(text)
    built = [_add_docx_table(document, rows) for rows in tables]
    for index, row_a, col_a, row_b, col_b in merges:
        built[index].cell(row_a, col_a).merge(built[index].cell(row_b, col_b))
    for text in paragraphs[split_at:]:
        document.add_paragraph(text)
    if content_control:
        _wrap_in_content_control(document.paragraphs[0]._p)
    document.save(str(path))
    return path


def _wrap_in_content_control(paragraph_element) -> None:
    from docx.oxml import OxmlElement

    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    paragraph_element.addprevious(sdt)
    sdt.append(OxmlElement("w:sdtPr"))
    sdt.append(content)
    content.append(paragraph_element)


def _add_docx_table(document, rows: Rows):
    table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    return table


def _cjk_canvas(path: Path, **kwargs):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
    return canvas.Canvas(str(path), **kwargs)


def write_pdf(path: Path, lines: Sequence[str], *, lines_per_page: int = 40,
              encrypt=None) -> Path:
    """A text PDF in the built-in CID font STSong-Light; `encrypt` goes to reportlab's Canvas."""
    pdf = _cjk_canvas(path, encrypt=encrypt)
    for start in range(0, max(len(lines), 1), lines_per_page):
        pdf.setFont(_CJK_FONT, 12)
        for offset, line in enumerate(lines[start:start + lines_per_page]):
            pdf.drawString(72, 760 - 18 * offset, line)
        pdf.showPage()
    pdf.save()
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A PDF page with a filled rectangle and no text at all, like a scan."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.setFillGray(0.5)
    pdf.rect(72, 400, 300, 200, fill=1)
    pdf.showPage()
    pdf.save()
    return path


def write_encrypted_pdf(path: Path, user_password: str = "secret",
                        owner_password: str = "owner") -> Path:
    """An encrypted text PDF; with user_password="" anyone may open it (owner-only protection)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    encryption = StandardEncryption(user_password, ownerPassword=owner_password, strength=128)
    return write_pdf(path, list(PARAGRAPHS), encrypt=encryption)


def write_html(path: Path, paragraphs: Sequence[str], tables: Sequence[Rows] = (),
               charset: str | None = "utf-8", *, encoding: str | None = None) -> Path:
    """An HTML page with a head, a script, <p> paragraphs and <table>s after them.

    `charset` is declared in <meta> (None: no declaration); bytes use `encoding` or the charset.
    """
    meta = f'<meta charset="{charset}">' if charset else ""
    body = [f"<p>{html.escape(text)}</p>" for text in paragraphs]
    body += [_html_table(rows) for rows in tables]
    page = (f"<!DOCTYPE html>\n<html>\n<head>{meta}<title>页面标题不应出现</title>\n"
            f"<style>p {{ color: red; }}</style></head>\n<body>\n"
            f"<script>var hidden = '脚本内容不应出现';</script>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
    Path(path).write_bytes(page.encode(encoding or charset or "utf-8"))
    return path


def _html_table(rows: Rows) -> str:
    lines = ["<table>"]
    for index, row in enumerate(rows):
        tag = "th" if index == 0 else "td"
        cells = "".join(f"<{tag}>{html.escape(text)}</{tag}>" for text in row)
        lines.append(f"  <tr>\n    {cells}\n  </tr>")
    lines.append("</table>")
    return "\n".join(lines)
