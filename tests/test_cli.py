"""The command line as a user runs it: real subprocesses, exit codes, one-line errors."""
import json
import os
import subprocess
import sys

import pytest
from conftest import EVAL, EXAMPLE, REPORTS, ROOT, seed_path

GIPNLP = [sys.executable, "-m", "gipnlp"]


def run(*args, input=None, cwd=None):
    return subprocess.run([*GIPNLP, *map(str, args)], input=input, capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=300)


def test_segment_json_contract():
    result = run("segment", EXAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"source", "format_version", "sections", "flags"} <= set(data)
    section = data["sections"][1]
    assert {"id", "heading", "inferred", "text", "subsections"} <= set(section)
    assert [s["id"] for s in data["sections"]][:2] == ["intro", "overview"]
    assert all({"id", "heading", "text"} <= set(sub) for sub in section["subsections"])


def test_segment_text_format():
    result = run("segment", EXAMPLE, "--format", "text")
    assert result.returncode == 0 and "overview" in result.stdout


def _one_line_error(result, name):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_bad_inputs_exit_2_with_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    unknown = tmp_path / "report.xyz"
    unknown.write_text("x", encoding="utf-8")
    assert "empty" in _one_line_error(run("segment", empty), "empty.txt")
    assert "binary" in _one_line_error(run("segment", binary), "binary.txt")
    assert ".xyz" in _one_line_error(run("segment", unknown), "report.xyz")
    assert "annual report" in _one_line_error(run("segment", REPORTS / "not_a_report.txt"), "not_a_report.txt")
    assert "not found" in _one_line_error(run("segment", tmp_path / "missing.txt"), "missing.txt")


def test_pdf_without_text_layer(tmp_path):
    from doc_builders import write_image_only_pdf

    path = tmp_path / "scan.pdf"
    write_image_only_pdf(path)
    assert "OCR" in _one_line_error(run("segment", path), "scan.pdf")


def test_usage_error_exits_2():
    assert run("segment").returncode == 2
    assert run("no-such-command").returncode == 2


def test_tag_reads_and_writes_jsonl(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": "部分栏目信息更新不及时。", "section": "problems", "heading": "（一）存在问题"},
        {"id": "b", "text": "下一步，将每月检查一次栏目更新情况。", "section": "problems"},
        {"id": "c", "text": "全年通过门户网站公开信息326条。"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("tag", "--input", source, "--output", out)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for row in rows:
        assert row["role"] in ("problem", "measure", "statement") and isinstance(row["themes"], list)
        assert set(row["scores"]) == {"role", "themes", "generic"} and isinstance(row["generic"], bool)
    piped = run("tag", input=source.read_text(encoding="utf-8"))
    assert [json.loads(line)["id"] for line in piped.stdout.splitlines()] == ["a", "b", "c"]


def test_tag_bad_line_names_the_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "好"}\n{"id": 2, "txt": "坏"}\n', encoding="utf-8")
    line = _one_line_error(run("tag", "--input", source), "in.jsonl")
    assert "in.jsonl:2" in line and "'text'" in line


def test_tag_with_tampered_model_is_refused(tmp_path):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(ROOT / "models" / "default", model)
    with open(model / "tagger.joblib", "ab") as handle:
        handle.write(b"x")
    line = _one_line_error(run("tag", "--model", model, input='{"id":1,"text":"好"}\n'), "tagger.joblib")
    assert "SHA-256" in line


def test_evaluate_on_seed_units_json():
    path = EVAL / "seeds-units.jsonl"
    if not path.is_file():
        pytest.skip("../shared is not present")
    result = run("evaluate", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 97 and 0 <= data["role"]["accuracy"] <= 1
    assert set(data["themes"]["per_label"]) == set(json.loads((ROOT / "gipnlp/resources/taxonomy.json").read_text())
                                                  ["themes"][i]["id"] for i in range(11))


def test_evaluate_refuses_training_units(tmp_path):
    corpus_file = sorted((ROOT / "corpora").glob("*.jsonl"))[0]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(corpus_file.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    result = run("evaluate", sample)
    assert result.returncode == 2 and "duplicate of a training unit" in result.stderr


def test_train_small_corpus_and_bad_corpus(tmp_path):
    from gipnlp import corpus

    units = corpus.load([ROOT / "corpora"])[::12]
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(json.dumps({"id": u.id, "text": u.text, "section": u.section, "heading": u.heading,
                                           "role": u.role, "themes": list(u.themes), "generic": u.generic},
                                          ensure_ascii=False) for u in units) + "\n", encoding="utf-8")
    result = run("train", small, "--out", tmp_path / "m", "--folds", "2")
    assert result.returncode == 0, result.stderr
    assert "theme micro-F1" in result.stdout and (tmp_path / "m" / "card.json").is_file()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x", "role": "oops", "themes": [], "generic": false}\n'
                   '{"id": 2, "text": "y", "role": "problem", "themes": ["nope"], "generic": false}\n',
                   encoding="utf-8")
    result = run("train", bad, "--out", tmp_path / "m2")
    assert result.returncode == 2 and "bad.jsonl:1" in result.stderr and "bad.jsonl:2" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "m2").exists()


def test_analyze_formats_and_fail_on(tmp_path):
    result = run("analyze", EXAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["score"]["total"] > 0
    page = tmp_path / "page.html"
    assert run("analyze", EXAMPLE, "--format", "html", "--out", page).returncode == 0
    assert "<html" in page.read_text(encoding="utf-8")
    assert run("analyze", seed_path("004"), "--fail-on", "error").returncode == 1


def test_index_build_and_analyze_with_index(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("agency_a_2023.txt", "agency_b_2023.txt"):
        (folder / name).write_bytes((REPORTS / name).read_bytes())
    assert run("index", "build", folder, "--out", tmp_path / "idx").returncode == 0
    result = run("analyze", folder / "agency_a_2023.txt", "--index", tmp_path / "idx", "--format", "json")
    assert "template_text" in [f["code"] for f in json.loads(result.stdout)["flags"]]


def test_corpus_stats_lists_every_bad_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "", "role": "problem", "themes": [], "generic": false}\n{oops\n', encoding="utf-8")
    result = run("corpus", "stats", bad)
    assert result.returncode == 2 and "bad.jsonl:1" in result.stderr and "bad.jsonl:2" in result.stderr
