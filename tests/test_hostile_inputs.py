"""Every bad input in README.md's "Bad input" table, each a test: what gipnlp does with it.

Commands run in-process through gipnlp.cli.main (the console entry point), so exit codes and the
one-line messages are exactly what a user sees.
"""
from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest
from conftest import EXAMPLE, REPORTS
from doc_builders import write_encrypted_pdf, write_image_only_pdf, write_pdf

from gipnlp.cli import main

REPORT_LINES = EXAMPLE.read_text(encoding="utf-8").splitlines()


def _empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    return path, "empty"


def _whitespace(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n\u3000\n", encoding="utf-8")
    return path, "no text"


def _binary_txt(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    return path, "binary"


def _truncated_pdf(tmp_path):
    path = write_pdf(tmp_path / "full.pdf", REPORT_LINES[:30])
    cut = tmp_path / "truncated.pdf"
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut, "truncated"


def _encrypted_pdf(tmp_path):
    return write_encrypted_pdf(tmp_path / "locked.pdf"), "password"


def _image_only_pdf(tmp_path):
    return write_image_only_pdf(tmp_path / "scan.pdf"), "OCR it first"


def _docx_not_word(tmp_path):
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "这不是 Word 文档")
    return path, "Word"


def _html_too_large(tmp_path):
    path = tmp_path / "mirror.html"
    row = "<p>" + "政府信息公开工作年度报告。" * 20 + "</p>\n"
    with open(path, "w", encoding="utf-8") as handle:
        while handle.tell() < 50_000_000:
            handle.write(row * 1000)
    return path, "over the limit"


def _unknown_extension(tmp_path):
    path = tmp_path / "report.wps"
    path.write_text("一、总体情况", encoding="utf-8")
    return path, ".wps"


def _not_a_report(tmp_path):
    return REPORTS / "not_a_report.txt", "annual report"


def _undecodable(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café résumé naïve - not Chinese at all, and not UTF-8 either.".encode("latin-1") * 20)
    return path, "UTF-8"


REFUSED = {
    "empty file": _empty,
    "whitespace-only file": _whitespace,
    "binary file named .txt": _binary_txt,
    "truncated PDF": _truncated_pdf,
    "encrypted PDF": _encrypted_pdf,
    "image-only PDF": _image_only_pdf,
    "DOCX that is a zip of something else": _docx_not_word,
    "HTML of 50 MB (over --max-bytes)": _html_too_large,
    "unknown extension": _unknown_extension,
    "Chinese text that is no annual report": _not_a_report,
    "text in no supported encoding": _undecodable,
}


def _run(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["segment", "analyze"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_input_exits_2_with_one_line(case, command, tmp_path, capsys):
    path, expected = REFUSED[case](tmp_path)
    code, out, err = _run([command, path], capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and expected in lines[0], err
    assert out == ""


def test_not_a_report_message_gives_a_confidence(tmp_path, capsys):
    code, _, err = _run(["segment", REPORTS / "not_a_report.txt"], capsys)
    assert code == 2 and "confidence 0." in err


def _report_with(tmp_path, name: str, transform) -> object:
    path = tmp_path / name
    path.write_bytes(transform(EXAMPLE.read_text(encoding="utf-8")))
    return path


def _sections(out: str) -> list[str]:
    return [s["id"] for s in json.loads(out)["sections"]]


def test_nul_bytes_and_lone_surrogates_are_dropped(tmp_path, capsys):
    nul = _report_with(tmp_path, "nul.txt", lambda t: t.replace("。", "。\x00", 3).encode("utf-8"))
    surrogate = _report_with(tmp_path, "surrogate.txt",
                             lambda t: b"\xff\xfe" + t.encode("utf-16-le").replace("。".encode("utf-16-le"),
                                                                                   b"\x00\xd8", 2))
    expected = _sections(_run(["segment", EXAMPLE], capsys)[1])
    for path in (nul, surrogate):
        code, out, err = _run(["segment", path], capsys)
        assert code == 0, err
        assert _sections(out) == expected


def test_mixed_encodings_are_decoded_line_by_line(tmp_path, capsys):
    def mixed(text):
        lines = text.split("\n")
        return "\n".join(lines[: len(lines) // 2]).encode("utf-8") + b"\n" + \
            "\n".join(lines[len(lines) // 2:]).encode("gbk")

    code, out, err = _run(["segment", _report_with(tmp_path, "mixed.txt", mixed)], capsys)
    assert code == 0, err
    assert _sections(out) == _sections(_run(["segment", EXAMPLE], capsys)[1])


def test_a_single_line_of_10_mb_finishes_with_an_answer(tmp_path, capsys):
    body = " ".join(line for line in REPORT_LINES if line.strip())
    path = tmp_path / "one_line.txt"
    path.write_text((body + " ") * (10_000_000 // len(body.encode("utf-8")) + 1), encoding="utf-8")
    code, out, err = _run(["segment", path], capsys)
    assert code in (0, 2)
    assert (code == 0 and json.loads(out)["sections"]) or (len(err.strip().splitlines()) == 1 and "one_line.txt" in err)


def test_too_many_units_is_refused_by_the_configured_limit(capsys):
    code, _, err = _run(["analyze", EXAMPLE, "--max-units", "5"], capsys)
    assert code == 2 and "--max-units" in err and "sample_report.txt" in err


def test_time_limit_is_enforced_with_a_clear_message(capsys):
    code, _, err = _run(["analyze", EXAMPLE, "--max-seconds", "0"], capsys)
    assert code == 2 and "--max-seconds" in err


def test_exit_code_1_for_findings_only_when_asked(capsys):
    assert _run(["analyze", REPORTS / "no_requests_aspect.txt"], capsys)[0] == 0
    assert _run(["analyze", REPORTS / "no_requests_aspect.txt", "--fail-on", "error"], capsys)[0] == 1


def test_internal_error_exits_3_without_traceback(monkeypatch, capsys):
    import gipnlp.api

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(gipnlp.api, "segment_file", broken)
    code, _, err = _run(["segment", EXAMPLE], capsys)
    assert code == 3 and "internal error" in err and "Traceback" not in err


def test_batch_records_bad_files_and_goes_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for case in ("empty file", "binary file named .txt", "image-only PDF", "DOCX that is a zip of something else",
                 "Chinese text that is no annual report"):
        path, _ = REFUSED[case](folder)
        if path.parent != folder:
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "good.txt").write_bytes(EXAMPLE.read_bytes())
    code, out, err = _run(["batch", folder, "--out", tmp_path / "store.db"], capsys)
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["written"] == 6 and summary["errors"] == 5
    with sqlite3.connect(tmp_path / "store.db") as connection:
        rows = dict(connection.execute("SELECT source, status FROM reports").fetchall())
        messages = [m for (m,) in connection.execute("SELECT error FROM reports WHERE status = 'error'")]
    assert rows[str(folder / "good.txt")] == "ok"
    assert all(message for message in messages)


def test_tag_refuses_bad_lines_naming_them(tmp_path, capsys):
    bad = tmp_path / "units.jsonl"
    bad.write_text('{"id": 1, "text": "部分栏目更新不及时。"}\nnot json\n', encoding="utf-8")
    code, _, err = _run(["tag", "--input", bad], capsys)
    assert code == 2 and "units.jsonl:2" in err
    binary = tmp_path / "units2.jsonl"
    binary.write_bytes(bytes(range(256)))
    code, _, err = _run(["tag", "--input", binary], capsys)
    assert code == 2 and "units2.jsonl" in err and "Traceback" not in err


def test_train_lists_every_bad_line(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    good = {"id": "a", "text": "部分栏目更新不及时。", "section": "problems", "role": "problem",
            "themes": ["timeliness"], "generic": True}
    corpus.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        good, {**good, "id": "b", "role": "measure"}, {**good, "id": "c", "text": "另一条。", "themes": ["speed"]},
        {**good, "id": "d", "text": "第三条。", "role": "issue"}]) + "\n", encoding="utf-8")
    code, _, err = _run(["train", corpus, "--out", tmp_path / "m"], capsys)
    assert code == 2
    for line in ("corpus.jsonl:2", "corpus.jsonl:3", "corpus.jsonl:4"):
        assert line in err
    assert "conflicting labels" in err and not (tmp_path / "m").exists()

