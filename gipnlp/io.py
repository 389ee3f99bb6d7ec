"""Read a report from disk into a `Document`: .txt, .docx, .pdf, .html/.htm.

    >>> doc = read("report.docx")
    >>> doc.kind, doc.text[:20], len(doc.tables)

Every problem a user can fix (missing file, wrong format, scan without text, password, size)
raises `InputError` (or `LimitExceededError`) with one sentence naming the file. Apart from
unifying line endings to "\\n", no normalisation happens here.
"""
from __future__ import annotations

import io as _io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from .errors import InputError, LimitExceededError
from .limits import DEFAULT_MAX_BYTES
from .types import Document, Table

__all__ = ["read", "decode_text", "DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS"]
SUPPORTED_EXTENSIONS = {".txt": "txt", ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}
_SUPPORTED_LIST = ".txt, .docx, .pdf, .html and .htm"

BINARY_MESSAGE = "looks like a binary file, not text"
_SUSPICIOUS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")
_PLAUSIBLE = re.compile("[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f"
                        "\u4e00-\u9fff\uff00-\uffef]")
_SURROGATE_OR_NUL = re.compile("[\x00\ud800-\udfff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f])
_NUL_SHARE = 0.01  # NUL bytes in a non-UTF-16 text beyond this share: binary data
_BINARY_SHARE = 0.3  # a text with more suspicious characters than this is binary data
_VISIBLE = re.compile(r"[^\s\ufeff\u200b-\u200d\u2060]")


# ── entry point ────────────────────────────────────────────────────────────────────────────────

def read(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one report; the reader is chosen by the file extension (case-insensitive)."""
    path = Path(path)
    kind = _kind_of(path)
    data = _read_bytes(path, max_bytes)
    try:
        document = _READERS[kind](path, data)
    except InputError as error:
        if error.path is not None:
            raise
        raise type(error)(error.message, path=str(path)) from error
    if not _VISIBLE.search(document.text):
        raise InputError("file contains no text (only whitespace)", path=str(path))
    return document


def _kind_of(path: Path) -> str:
    if not path.exists():
        raise InputError("file not found", path=str(path))
    if path.is_dir():
        raise InputError(f"is a directory, not a file; pass a report file ({_SUPPORTED_LIST})",
                         path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise InputError("old Word .doc files are not supported; open it in Word or LibreOffice "
                         "and save it as .docx", path=str(path))
    if suffix not in SUPPORTED_EXTENSIONS:
        what = f"file type '{path.suffix}'" if suffix else "a file without extension"
        raise InputError(f"cannot read {what}; gipnlp reads {_SUPPORTED_LIST} files",
                         path=str(path))
    return SUPPORTED_EXTENSIONS[suffix]


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing non-regular, empty and over-limit files."""
    try:
        if not path.is_file():
            raise InputError("is not a regular file", path=str(path))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
            size = max(len(data), path.stat().st_size)
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}", path=str(path)) from error
    if size > max_bytes:
        raise LimitExceededError(
            f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes; raise it with the "
            f"max_bytes parameter or the CLI option --max-bytes", path=str(path))
    if not data:
        raise InputError("file is empty (0 bytes)", path=str(path))
    return data


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ── plain text ─────────────────────────────────────────────────────────────────────────────────

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding name). Raises InputError for non-text.

    Order: byte-order marks, BOM-less UTF-16 (by its NUL-byte pattern), strict UTF-8, then GBK
    or its superset GB18030. NUL characters and lone surrogates are dropped from the text.
    """
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise InputError(BINARY_MESSAGE)
    return _SURROGATE_OR_NUL.sub("", text), encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_unicode(data, encoding, skip=len(bom)), encoding
    utf16 = _bomless_utf16(data)
    if utf16:
        return _decode_unicode(data, utf16), utf16
    try:
        return data.decode("utf-8", errors="surrogatepass"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    for encoding in ("gbk", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        mixed = _decode_lines(data)  # lines saved as UTF-8 inside a GBK file would be mojibake here
        return mixed if mixed is not None else (text, encoding)
    mixed = _decode_lines(data)
    if mixed is not None:
        return mixed
    if b"\x00" in data or _control_byte_share(data) > _BINARY_SHARE:
        raise InputError(BINARY_MESSAGE)
    raise InputError(f"is not valid UTF-8, UTF-16 or GB18030 text (bad byte at offset "
                     f"{utf8_error.start}); re-save it as UTF-8")


def _decode_lines(data: bytes) -> tuple[str, str] | None:
    """Decode line by line (UTF-8, else GB18030) when some lines are UTF-8 and others are not.

    Returns None unless the file really mixes encodings and every line decodes one way or the other.
    """
    lines, used = [], set()
    for raw in data.split(b"\n"):
        for encoding in ("utf-8", "gb18030"):
            try:
                lines.append(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
            if not raw.isascii():
                used.add(encoding)
            break
        else:
            return None
    if used != {"utf-8", "gb18030"}:
        return None
    return "\n".join(lines), "mixed utf-8/gb18030"


def _decode_unicode(data: bytes, encoding: str, skip: int = 0) -> str:
    """Decode UTF-8/16/32 after `skip` BOM bytes, tolerating lone surrogates and a cut-off end."""
    unit = {"utf-16": 2, "utf-32": 4}.get(encoding[:6], 1)
    body = data[skip:len(data) - (len(data) - skip) % unit]
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        return body.decode(codec, errors="surrogatepass")
    except UnicodeDecodeError as error:
        label = codec.upper()
        raise InputError(f"starts with a {label} byte-order mark but is not valid {label} (bad "
                         f"byte at offset {skip + error.start}); re-save it as UTF-8") from None


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for NUL-rich bytes that read as plausible text in that order."""
    sample = data[:65536]
    if sample.count(0) < 0.05 * (len(sample) // 2) or len(sample) < 4:
        return None
    sample = sample[:len(sample) - len(sample) % 2]
    shares = {encoding: _plausible_share(sample.decode(encoding, errors="replace"))
              for encoding in ("utf-16-le", "utf-16-be")}
    best = max(shares, key=shares.get)
    return best if shares[best] >= 0.7 else None


def _plausible_share(text: str) -> float:
    """Share of characters that Chinese report text is made of (ASCII, CJK, punctuation)."""
    return _PLAUSIBLE.subn("", text)[1] / len(text) if text else 0.0


def _control_byte_share(data: bytes) -> float:
    """Share of C0 control bytes other than whitespace (binary formats are full of them)."""
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    suspicious = _SUSPICIOUS.subn("", text)[1]
    return suspicious > _BINARY_SHARE * len(text)


def _read_txt(path: Path, data: bytes) -> Document:
    text, encoding = decode_text(data)
    if data.count(0) > _NUL_SHARE * len(data) and not encoding.startswith(("utf-16", "utf-32")):
        raise InputError(BINARY_MESSAGE)  # a few stray NULs are dropped; many mean binary data
    return Document(source=str(path), kind="txt", text=_unify_newlines(text), encoding=encoding)


# ── DOCX ───────────────────────────────────────────────────────────────────────────────────────

def _read_docx(path: Path, data: bytes) -> Document:
    word = _open_docx(data)
    lines: list[str] = []
    tables: list[Table] = []
    for block in _docx_blocks(word.element.body, word):
        if isinstance(block, Table):
            tables.append(block)
            lines.extend("\t".join(row) for row in block.rows)
        else:
            lines.append(block)
    text = _unify_newlines("\n".join(lines))
    return Document(source=str(path), kind="docx", text=text, tables=tuple(tables))


def _open_docx(data: bytes):
    """A python-docx Document, or InputError saying why the bytes are not one."""
    import docx

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("is an old Word .doc file with a .docx name; open it in Word or "
                         "LibreOffice and save it as .docx")
    if not zipfile.is_zipfile(_io.BytesIO(data)):
        raise InputError("is not a valid Word .docx document (it is not a zip archive)")
    try:
        return docx.Document(_io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors, …
        raise InputError(f"is not a valid Word .docx document ({_short(error)})") from error


def _docx_blocks(parent, word) -> Iterator[str | Table]:
    """Paragraph texts and Tables of a body in document order (content controls unwrapped)."""
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, word).text
        elif child.tag == qn("w:tbl"):
            yield _docx_table(DocxTable(child, word))
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent")):
            yield from _docx_blocks(child, word)


def _docx_table(table) -> Table:
    """Rows of cell texts; a merged cell repeated by python-docx is kept once per row."""
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in _docx_row_cells(row, table):
            if previous is None or cell._tc is not previous._tc:
                cells.append(_one_line(_docx_cell_text(cell)))
            previous = cell
        rows.append(tuple(cells))
    return Table(rows=tuple(rows))


def _docx_row_cells(row, table) -> tuple:
    """python-docx's grid cells; the row's own <w:tc>s when a vertical merge is malformed."""
    from docx.table import _Cell

    try:
        return row.cells
    except (ValueError, IndexError, AttributeError):
        return tuple(_Cell(tc, table) for tc in row._tr.tc_lst)


def _docx_cell_text(cell) -> str:
    parts = []
    for block in cell.iter_inner_content():
        if hasattr(block, "rows"):  # a nested table
            parts.extend(" ".join(row) for row in _docx_table(block).rows)
        else:
            parts.append(block.text)
    return "\n".join(parts)


def _one_line(cell_text: str) -> str:
    """A cell's text on one line: its inner line breaks and tabs become single spaces."""
    return " ".join(part.strip() for part in re.split(r"[\t\r\n]+", cell_text) if part.strip())


# ── PDF ────────────────────────────────────────────────────────────────────────────────────────

_CID_TOKEN = re.compile(r"\(cid:\d+\)")
_CID_SHARE = 0.3  # more glyphs than this printed as "(cid:N)": the text layer is undecodable


def _read_pdf(path: Path, data: bytes) -> Document:
    _check_pdf_envelope(data)
    pages = _pdf_pages(data)
    if not any(page.strip() for page in pages):
        raise InputError("this PDF has no text layer (probably a scan) — OCR it first, e.g. "
                         "with ocrmypdf, and read the result")
    if _cid_share(pages) > _CID_SHARE:
        raise InputError("this PDF's text layer cannot be decoded (its fonts lack a Unicode "
                         "mapping) — OCR it first, e.g. with ocrmypdf, and read the result")
    text = _unify_newlines(_CID_TOKEN.sub("", "\n".join(pages)))
    return Document(source=str(path), kind="pdf", text=text)


def _pdf_pages(data: bytes) -> list[str]:
    """Page texts by pdfplumber; pypdf when pdfplumber fails or cannot map the fonts."""
    try:
        pages = _pdfplumber_pages(data)
    except Exception:  # pdfplumber/pdfminer failed: pypdf reads it or classifies the problem
        return _pypdf_pages(data)
    if _cid_share(pages) > _CID_SHARE:
        try:
            fallback = _pypdf_pages(data)
        except InputError:
            return pages
        if any(page.strip() for page in fallback) and _cid_share(fallback) <= _CID_SHARE:
            return fallback
    return pages


def _cid_share(pages: list[str]) -> float:
    """Share of glyphs that pdfminer could only print as "(cid:N)"."""
    text = "".join(pages)
    tokens = len(_CID_TOKEN.findall(text))
    if not tokens:
        return 0.0
    other = len(re.sub(r"\s", "", _CID_TOKEN.sub("", text)))
    return tokens / (tokens + other)


def _check_pdf_envelope(data: bytes) -> None:
    if b"%PDF-" not in data[:1024]:
        raise InputError("is not a PDF file (it does not start with %PDF-); check what was "
                         "downloaded")
    if b"%%EOF" not in data[-1024:]:
        raise InputError("PDF is truncated or corrupt (no %%EOF end marker); download or "
                         "export it again")


def _pdfplumber_pages(data: bytes) -> list[str]:
    import pdfplumber

    pages = []
    with pdfplumber.open(_io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            pages.append(page.extract_text() or "")
            page.close()
    return pages


def _pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(_io.BytesIO(data))
    except Exception as error:
        raise InputError(f"PDF is truncated or corrupt ({_short(error)}); download or export "
                         f"it again") from error
    if reader.is_encrypted and not _pypdf_decrypts(reader):
        raise InputError("PDF is encrypted and cannot be opened without a password; save an "
                         "unprotected copy and read that")
    try:
        return [page.extract_text() or "" for page in reader.pages]
    except Exception as error:
        raise InputError(f"PDF is truncated or corrupt ({_short(error)}); download or export "
                         f"it again") from error


def _pypdf_decrypts(reader) -> bool:
    """True when the PDF opens with the empty user password (owner-password-only PDFs)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def _short(error: Exception) -> str:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    detail = detail[:100] + ("…" if len(detail) > 100 else "")
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


# ── HTML ───────────────────────────────────────────────────────────────────────────────────────

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_GBK_LABELS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese", "csgb2312", "iso-ir-58", "cp936"}
_GB_LABELS = _GBK_LABELS | {"gb18030"}  # all decoded as GB18030, their common superset
_FEED_CHUNK = 1 << 20


def _read_html(path: Path, data: bytes) -> Document:
    text, encoding = _decode_html(data)
    parser = _HtmlText()
    for start in range(0, len(text), _FEED_CHUNK):
        parser.feed(text[start:start + _FEED_CHUNK])
    body, tables = parser.result()
    return Document(source=str(path), kind="html", text=_unify_newlines(body),
                    tables=tables, encoding=encoding)


def _decode_html(data: bytes) -> tuple[str, str]:
    """Decode by the <meta> charset when there is no BOM and it fits, else by `decode_text`."""
    declared = _declared_charset(data)
    if declared and not any(data.startswith(bom) for bom, _ in _BOMS):
        codec = "gb18030" if declared in _GB_LABELS else declared
        try:
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if _looks_binary(text):
                raise InputError(BINARY_MESSAGE)
            return _SURROGATE_OR_NUL.sub("", text), "gbk" if declared in _GBK_LABELS else declared
    return decode_text(data)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:16384])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    return None if label.startswith(("utf-16", "utf-32")) else label


_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
               "table", "section", "article", "header", "footer", "main", "aside", "nav",
               "blockquote", "pre", "hr", "dl", "dt", "dd", "address", "figure", "figcaption",
               "caption", "center", "form", "body"}
_SKIP_TAGS = {"script", "style", "head", "title", "template"}
_HEAD_TAGS = {"meta", "link", "title", "style", "script", "base", "noscript", "template"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(" {2,}")
_PRE_SPACE = re.compile(r"[ \t\r\f]+")  # inside <pre> line breaks are kept
_PAGE_CELL = (3, 100)  # a cell with ≥ 3 lines and ≥ 100 characters holds page text, not data


class _TableBuilder:
    """An open <table>: its rows of cells, each cell a list of text lines."""

    def __init__(self, slot: int):
        self.slot = slot
        self.rows: list[list[list[str]]] = []
        self.row: list[list[str]] | None = None
        self.cell: list[str] | None = None  # text fragments; "\n" marks a line break
        self.loose: list[str] = []  # text inside the table but outside any cell (caption)
        self.has_nested = False

    def close_cell(self) -> None:
        if self.cell is not None:
            if self.row is None:
                self.row = []
            self.row.append(_split_lines("".join(self.cell)))
            self.cell = None

    def close_row(self) -> None:
        self.close_cell()
        if self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def is_layout(self) -> bool:
        """Tables used for page layout hold nested tables or whole paragraphs per cell."""
        lines, chars = _PAGE_CELL
        return self.has_nested or any(len(cell) >= lines and sum(map(len, cell)) >= chars
                                      for row in self.rows for cell in row)


def _split_lines(fragments: str) -> list[str]:
    """Non-empty lines of joined fragments, runs of spaces squeezed."""
    if "  " in fragments:
        fragments = _SPACES.sub(" ", fragments)
    lines = (line.strip(" ") for line in fragments.split("\n"))
    return [line for line in lines if line]


class _HtmlText(HTMLParser):
    """Streams HTML into text lines; data tables become tab-joined lines plus `Table`s.

    Layout tables (nested tables, or cells holding several paragraphs) are rendered as plain
    lines and not reported as tables.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._fragments: list[str] = []
        self._tables: list[Table | None] = []
        self._open: list[_TableBuilder] = []
        self._skipping: dict[str, int] = {}  # open script/style/head/template elements
        self._skip_depth = 0
        self._pre = 0

    def updatepos(self, i: int, j: int) -> int:
        """Skip HTMLParser's line/column bookkeeping, which we never use (a third of the time)."""
        return j

    def result(self) -> tuple[str, tuple[Table, ...]]:
        self.close()
        while self._open:
            self._end_table()
        self._flush()
        return "\n".join(self._lines), tuple(t for t in self._tables if t is not None)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in _HEAD_TAGS and self._skipping.get("head"):
            self._skipping.clear()  # an unclosed <head> ends where body content starts
            self._skip_depth = 0
        if tag in _SKIP_TAGS:
            self._skipping[tag] = self._skipping.get(tag, 0) + 1
            self._skip_depth += 1
        if self._skip_depth:
            return
        self._pre += tag == "pre"
        if tag == "table":
            self._start_table()
        elif tag == "tr" and self._open:
            self._open[-1].close_row()
            self._open[-1].row = []
        elif tag in ("td", "th") and self._open:
            self._open[-1].close_cell()
            self._open[-1].cell = []
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping.get(tag):
            self._skipping[tag] -= 1
            self._skip_depth -= 1
            return
        if self._skip_depth:
            return
        self._pre -= tag == "pre" and self._pre > 0
        if tag == "table" and self._open:
            self._end_table()
        elif tag == "tr" and self._open:
            self._open[-1].close_row()
        elif tag in ("td", "th") and self._open:
            self._open[-1].close_cell()
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            space = _PRE_SPACE if self._pre else _HTML_SPACE
            self._sink().append(space.sub(" ", data))

    def _sink(self) -> list[str]:
        if not self._open:
            return self._fragments
        table = self._open[-1]
        return table.cell if table.cell is not None else table.loose

    def _break(self) -> None:
        self._sink().append("\n")

    def _flush(self) -> None:
        self._lines.extend(_split_lines("".join(self._fragments)))
        self._fragments = []

    def _start_table(self) -> None:
        if self._open:
            self._open[-1].has_nested = True
        else:
            self._flush()
        self._open.append(_TableBuilder(slot=len(self._tables)))
        self._tables.append(None)

    def _end_table(self) -> None:
        table = self._open.pop()
        table.close_row()
        lines = _split_lines("".join(table.loose))
        if table.is_layout():
            lines += [line for row in table.rows for cell in row for line in cell]
        else:
            rows = tuple(tuple(" ".join(cell) for cell in row) for row in table.rows)
            if rows:
                self._tables[table.slot] = Table(rows=rows)
            lines += ["\t".join(row) for row in rows]
        if self._open:
            self._sink().extend(f"\n{line}\n" for line in lines)
        else:
            self._lines.extend(lines)


_READERS = {"txt": _read_txt, "docx": _read_docx, "pdf": _read_pdf, "html": _read_html}
