"""gipnlp.io: every reader and every error a user can hit. Fixtures are built in tmp_path."""
from __future__ import annotations

import re
import time
import zipfile

import pytest
from doc_builders import (
    PARAGRAPHS,
    TABLE,
    write_docx,
    write_encrypted_pdf,
    write_html,
    write_image_only_pdf,
    write_pdf,
)

from gipnlp import io as gio
from gipnlp.errors import InputError, LimitExceededError
from gipnlp.types import Table

REPORT = "青山县示例局2023年政府信息公开工作年度报告\n一、总体情况\n本年度主动公开信息120条。\n"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_error(path, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        gio.read(path, **kwargs)
    assert path.name in str(caught.value)
    return caught.value


# ── plain text and decoding ────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("encoding, data, expected_name", [
    ("utf-8", REPORT.encode("utf-8"), "utf-8"),
    ("utf-8-bom", REPORT.encode("utf-8-sig"), "utf-8-sig"),
    ("gbk", REPORT.encode("gbk"), "gbk"),
    ("gb18030-only", (REPORT + "𠮷\n").encode("gb18030"), "gb18030"),
    ("utf-16-le-bom", b"\xff\xfe" + REPORT.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be-bom", b"\xfe\xff" + REPORT.encode("utf-16-be"), "utf-16-be"),
    ("utf-16-le-no-bom", REPORT.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be-no-bom", REPORT.encode("utf-16-be"), "utf-16-be"),
])
def test_txt_encodings(tmp_path, encoding, data, expected_name):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(data)
    document = gio.read(path)
    assert document.kind == "txt"
    assert document.encoding == expected_name
    assert document.source == str(path)
    assert document.text.startswith("青山县示例局2023年")  # no BOM character left
    assert "\ufeff" not in document.text
    if encoding == "gb18030-only":
        assert "𠮷" in document.text


def test_txt_line_endings_become_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("第一行\r\n第二行\r第三行\n".encode("utf-8"))
    assert gio.read(path).text == "第一行\n第二行\n第三行\n"


def test_extension_is_case_insensitive(tmp_path):
    path = tmp_path / "REPORT.TXT"
    path.write_text(REPORT, encoding="utf-8")
    assert gio.read(path).kind == "txt"


def test_decode_text_strips_nul_and_lone_surrogates():
    data = (b"\xff\xfe" + "甲乙丙丁".encode("utf-16-le") + b"\x00\x00" + b"\x00\xd8"
            + "戊己庚辛".encode("utf-16-le"))
    text, encoding = gio.decode_text(data)
    assert (text, encoding) == ("甲乙丙丁戊己庚辛", "utf-16-le")


def test_decode_text_rejects_control_characters():
    with pytest.raises(InputError, match="looks like a binary file, not text"):
        gio.decode_text(bytes(range(1, 9)) * 200 + "一点文字".encode("utf-8"))


def test_decode_text_rejects_undecodable_bytes():
    with pytest.raises(InputError, match=r"not valid UTF-8, UTF-16 or GB18030 .*offset 3"):
        gio.decode_text(b"abc\x80\x80\x80 def")


def test_bom_with_invalid_content(tmp_path):
    path = tmp_path / "badbom.txt"
    path.write_bytes(b"\xef\xbb\xbfabc\xff")
    assert "UTF-8 byte-order mark but is not valid UTF-8 (bad byte at offset 6)" in str(
        read_error(path))


def test_binary_txt_is_rejected(tmp_path):
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert "looks like a binary file, not text" in str(read_error(path))


def test_stray_nul_bytes_in_utf8_txt_are_dropped(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(REPORT.encode("utf-8") + b"\x00\x00" + REPORT.encode("utf-8"))
    assert gio.read(path).text == REPORT + REPORT


def test_many_nul_bytes_in_txt_are_binary(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes((REPORT.encode("utf-8") + b"\x00" * 40) * 3)
    assert "looks like a binary file" in str(read_error(path))


def test_undecodable_txt_names_the_file(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"caf\xe9 \x80\x80 na\xefve")
    assert "re-save it as UTF-8" in str(read_error(path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in str(read_error(path))


@pytest.mark.parametrize("data", [b" \n\t\r\n  ", "\ufeff \u3000\u200b\n".encode("utf-8")])
def test_whitespace_only_file(tmp_path, data):
    path = tmp_path / "blank.txt"
    path.write_bytes(data)
    assert "no text (only whitespace)" in str(read_error(path))


# ── path, extension and size problems ──────────────────────────────────────────────────────────

def test_missing_file(tmp_path):
    assert "file not found" in str(read_error(tmp_path / "nowhere.txt"))


def test_directory(tmp_path):
    folder = tmp_path / "reports.txt"
    folder.mkdir()
    assert "is a directory" in str(read_error(folder))


@pytest.mark.parametrize("name", ["report.rtf", "report.xlsx", "report"])
def test_unknown_extension_lists_supported(tmp_path, name):
    path = tmp_path / name
    path.write_text(REPORT, encoding="utf-8")
    message = str(read_error(path))
    assert ".txt, .docx, .pdf, .html and .htm" in message


def test_doc_is_not_supported(tmp_path):
    path = tmp_path / "old.DOC"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "save it as .docx" in str(read_error(path))


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("很" * 100, encoding="utf-8")
    with pytest.raises(LimitExceededError) as caught:
        gio.read(path, max_bytes=299)
    message = str(caught.value)
    assert "big.txt" in message and "299" in message
    assert "max_bytes" in message and "--max-bytes" in message
    assert gio.read(path, max_bytes=300).text == "很" * 100  # exactly at the limit is fine


def test_default_limit_refuses_a_larger_file(tmp_path):
    path = tmp_path / "huge.html"
    with open(path, "wb") as handle:
        handle.truncate(gio.DEFAULT_MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(LimitExceededError, match="huge.html.*over the limit"):
        gio.read(path)


# ── DOCX ───────────────────────────────────────────────────────────────────────────────────────

def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    path = write_docx(tmp_path / "report.docx", PARAGRAPHS, [TABLE], split_at=2)
    document = gio.read(path)
    assert document.kind == "docx"
    assert document.text.split("\n") == [
        PARAGRAPHS[0], PARAGRAPHS[1],
        "信息内容\t本年制发件数\t本年废止件数", "规章\t0\t0", "规范性文件\t3\t1",
        PARAGRAPHS[2],
    ]
    assert document.tables == (Table(rows=TABLE),)


def test_docx_merged_cell_appears_once(tmp_path):
    rows = (("合计", "", "5"), ("规章", "2", "3"))
    path = write_docx(tmp_path / "merged.docx", ["表格"], [rows], merges=[(0, 0, 0, 0, 1)])
    document = gio.read(path)
    assert document.tables[0].rows == (("合计", "5"), ("规章", "2", "3"))
    assert "合计\t5" in document.text.split("\n")


def test_docx_vertical_merge_repeats_text_in_each_row(tmp_path):
    rows = (("申请", "自然人", "5"), ("", "法人", "2"))
    path = write_docx(tmp_path / "vmerge.docx", ["表格"], [rows], merges=[(0, 0, 0, 1, 0)])
    assert gio.read(path).tables[0].rows == (("申请", "自然人", "5"), ("申请", "法人", "2"))


def test_docx_content_control_paragraph_is_read(tmp_path):
    path = write_docx(tmp_path / "sdt.docx", PARAGRAPHS, content_control=True)
    assert gio.read(path).text.split("\n") == list(PARAGRAPHS)


def test_docx_multi_paragraph_cell_stays_on_one_line(tmp_path):
    path = write_docx(tmp_path / "cell.docx", ["前言"], [(("第一段\n第二段", "值"),)])
    assert gio.read(path).text.split("\n")[1] == "第一段 第二段\t值"


def test_docx_that_is_a_zip_of_text(tmp_path):
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "这不是Word文档")
    assert "is not a valid Word .docx document" in str(read_error(path))


def test_docx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "plain.docx"
    path.write_text(REPORT, encoding="utf-8")
    assert "not a zip archive" in str(read_error(path))


def test_doc_renamed_to_docx(tmp_path):
    path = tmp_path / "renamed.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert "save it as .docx" in str(read_error(path))


def test_docx_without_text(tmp_path):
    path = write_docx(tmp_path / "blank.docx", ["", "  "])
    assert "no text" in str(read_error(path))


# ── PDF ────────────────────────────────────────────────────────────────────────────────────────

def test_pdf_chinese_text_survives(tmp_path):
    lines = list(PARAGRAPHS) + ["二、主动公开政府信息情况"]
    path = write_pdf(tmp_path / "report.pdf", lines, lines_per_page=2)
    document = gio.read(path)
    assert document.kind == "pdf" and document.tables == ()
    assert squash(document.text) == squash("".join(lines))
    assert "一、总体情况" in document.text.split("\n")


def test_pdf_upper_case_extension(tmp_path):
    path = write_pdf(tmp_path / "REPORT.PDF", list(PARAGRAPHS))
    assert "总体情况" in gio.read(path).text


def test_image_only_pdf(tmp_path):
    path = write_image_only_pdf(tmp_path / "scan.pdf")
    assert "no text layer" in str(read_error(path))
    assert "OCR it first" in str(read_error(path))


def test_encrypted_pdf(tmp_path):
    path = write_encrypted_pdf(tmp_path / "locked.pdf")
    assert "encrypted and cannot be opened without a password" in str(read_error(path))


def test_owner_password_only_pdf_is_read(tmp_path):
    path = write_encrypted_pdf(tmp_path / "owner.pdf", user_password="")
    assert squash(gio.read(path).text) == squash("".join(PARAGRAPHS))


def test_truncated_pdf(tmp_path):
    whole = write_pdf(tmp_path / "whole.pdf", list(PARAGRAPHS)).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    assert "truncated or corrupt" in str(read_error(path))


def test_corrupt_pdf_body(tmp_path):
    path = tmp_path / "garbled.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"garbage " * 200 + b"\n%%EOF\n")
    message = str(read_error(path))
    assert "truncated or corrupt" in message or "no text layer" in message


def test_html_saved_as_pdf(tmp_path):
    path = write_html(tmp_path / "download.pdf", ["访问出错"])
    assert "is not a PDF file" in str(read_error(path))


def test_pdf_falls_back_to_pypdf(tmp_path, monkeypatch):
    path = write_pdf(tmp_path / "fallback.pdf", list(PARAGRAPHS))

    def broken(data):
        raise ValueError("pdfminer choked")

    monkeypatch.setattr(gio, "_pdfplumber_pages", broken)
    assert squash(gio.read(path).text) == squash("".join(PARAGRAPHS))


def test_pdf_with_unmapped_fonts(tmp_path, monkeypatch):
    path = write_pdf(tmp_path / "cids.pdf", list(PARAGRAPHS))
    monkeypatch.setattr(gio, "_pdfplumber_pages", lambda data: ["(cid:12)(cid:34)(cid:56)"])
    monkeypatch.setattr(gio, "_pypdf_pages", lambda data: [""])
    assert "cannot be decoded" in str(read_error(path))


# ── HTML ───────────────────────────────────────────────────────────────────────────────────────

def test_html_table_cells_tab_joined_and_script_dropped(tmp_path):
    path = write_html(tmp_path / "report.html", PARAGRAPHS, [TABLE])
    document = gio.read(path)
    assert document.kind == "html" and document.encoding == "utf-8"
    assert document.text.split("\n") == list(PARAGRAPHS) + [
        "信息内容\t本年制发件数\t本年废止件数", "规章\t0\t0", "规范性文件\t3\t1"]
    assert document.tables == (Table(rows=TABLE),)
    for hidden in ("脚本内容", "页面标题", "color"):
        assert hidden not in document.text


def test_html_gbk_meta_charset(tmp_path):
    path = write_html(tmp_path / "gbk.htm", PARAGRAPHS, [TABLE], charset="GBK")
    document = gio.read(path)
    assert document.encoding == "gbk"
    assert document.text.startswith(PARAGRAPHS[0])
    assert document.tables[0].rows[2] == ("规范性文件", "3", "1")


def test_html_gb2312_label_with_gbk_only_characters(tmp_path):
    path = write_html(tmp_path / "gb2312.html", ["镕基与堃"], charset="gb2312", encoding="gbk")
    assert gio.read(path).text == "镕基与堃"


def test_html_without_meta_is_sniffed(tmp_path):
    path = write_html(tmp_path / "nometa.HTML", PARAGRAPHS, charset=None, encoding="gb18030")
    document = gio.read(path)
    assert document.encoding == "gbk"
    assert document.text.split("\n") == list(PARAGRAPHS)


def test_html_wrong_meta_falls_back_to_sniffing(tmp_path):
    path = write_html(tmp_path / "liar.html", PARAGRAPHS, charset="utf-8", encoding="gbk")
    document = gio.read(path)
    assert document.encoding == "gbk"
    assert document.text.split("\n") == list(PARAGRAPHS)


def test_html_http_equiv_charset(tmp_path):
    path = tmp_path / "equiv.html"
    path.write_bytes('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
                     '</head><body><p>公开指南</p></body></html>'.encode("gbk"))
    assert gio.read(path).text == "公开指南"


def test_html_entities_breaks_and_inline_tags(tmp_path):
    path = tmp_path / "entities.html"
    path.write_text("<body><div>A&amp;B&#x4E00;&lt;二&gt;</div>第<b>一</b>行<br>第二行"
                    "<ul><li>甲</li><li>乙</li></ul><pre>保留\n换行</pre></body>", encoding="utf-8")
    assert gio.read(path).text.split("\n") == ["A&B一<二>", "第一行", "第二行", "甲", "乙",
                                               "保留", "换行"]


def test_html_layout_table_is_text_not_table(tmp_path):
    path = tmp_path / "layout.html"
    path.write_text(
        "<table><tr><td><p>第一段。</p><p>第二段。</p><p>第三段。</p>"
        "<table><tr><td>项目</td><td>数量</td></tr><tr><td>申请</td><td>7</td></tr></table>"
        "</td></tr></table>", encoding="utf-8")
    document = gio.read(path)
    assert document.text.split("\n") == ["第一段。", "第二段。", "第三段。", "项目\t数量", "申请\t7"]
    assert document.tables == (Table(rows=(("项目", "数量"), ("申请", "7"))),)


def test_html_single_cell_page_layout_is_text(tmp_path):
    paragraphs = [f"第{n}段：本机关依法公开政府信息，持续完善公开目录和指南。" for n in "一二三四"]
    cell = "".join(f"<p>{text}</p>" for text in paragraphs)
    path = tmp_path / "frame.html"
    path.write_text(f"<table><tr><td>{cell}</td></tr></table>", encoding="utf-8")
    document = gio.read(path)
    assert document.text.split("\n") == paragraphs
    assert document.tables == ()


def test_html_short_multi_line_header_cell_stays_a_table(tmp_path):
    path = tmp_path / "header.html"
    path.write_text("<table><tr><td>本年<br>新收<br>申请</td><td>上年<br>结转</td></tr>"
                    "<tr><td>12</td><td>3</td></tr></table><table></table>", encoding="utf-8")
    document = gio.read(path)
    assert document.text.split("\n") == ["本年 新收 申请\t上年 结转", "12\t3"]
    assert document.tables == (Table(rows=(("本年 新收 申请", "上年 结转"), ("12", "3"))),)


def test_html_unclosed_head_ends_at_body_content(tmp_path):
    path = tmp_path / "nohead.html"
    path.write_text("<html><head><meta charset='utf-8'><title>标题</title><p>正文第一段",
                    encoding="utf-8")
    assert gio.read(path).text == "正文第一段"


def test_html_unclosed_cells_and_rows(tmp_path):
    path = tmp_path / "sloppy.html"
    path.write_text("<table><tr><td>甲<td>乙<tr><td>丙<td>丁</table><p>后文", encoding="utf-8")
    document = gio.read(path)
    assert document.text.split("\n") == ["甲\t乙", "丙\t丁", "后文"]
    assert document.tables[0].rows == (("甲", "乙"), ("丙", "丁"))


def test_html_with_only_script(tmp_path):
    path = tmp_path / "script.html"
    path.write_text("<html><head><title>标题</title></head><body><script>x()</script></body></html>",
                    encoding="utf-8")
    assert "no text" in str(read_error(path))


def test_large_html(tmp_path):
    row = "<tr><td>规范性文件</td><td>3</td><td>1</td></tr>\n"
    para = "<p>本年度我局主动公开政府信息一百二十条&nbsp;。</p>\n"
    path = tmp_path / "large.html"
    path.write_text("<html><body>" + (para * 20 + "<table>" + row * 20 + "</table>\n") * 2000
                    + "</body></html>", encoding="utf-8")
    started = time.perf_counter()
    document = gio.read(path)
    assert time.perf_counter() - started < 60
    assert len(document.tables) == 2000
    assert document.text.count("\n") + 1 == 2000 * 40
