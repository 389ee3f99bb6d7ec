"""`gipnlp report STORE --out page.html`: one self-contained page with five charts and a sortable table of
reports, checked as text, and as a real browser renders it when Chromium is installed."""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_batch import ENV, GIPNLP, corpus_store

CHARTS = ("Problem themes", "Measure themes", "Score distribution", "Most common flags", "Problem → measure coverage")
COLUMNS = ["source", "agency", "year", "score", "status", "flags"]
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # an identifier, never fetched
URL_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "action", "data", "poster"}
WINDOW = (1200, 2000)
CHROMIUM_TIMEOUT = 120


class Page(HTMLParser):
    """What the tests look at in a page: headings, charts (svg and their bars), the reports table, scripts."""

    def __init__(self, text: str):
        super().__init__()
        self.headings, self.svgs, self.bars, self.urls, self.scripts = [], 0, 0, [], []
        self.header, self.rows = [], []
        self._in, self._section = None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [value for name, value in attrs.items() if name in URL_ATTRIBUTES and value]
        if tag == "svg":
            self.svgs += 1
        elif tag == "rect":
            self.bars += 1
        elif tag == "script":
            self.scripts.append({"attrs": attrs, "text": ""})
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif tag == "td":
            self.rows[-1].append("")
        elif tag == "th":
            self.header.append("")
        self._in = tag

    def handle_endtag(self, tag):
        if tag in ("thead", "tbody"):
            self._section = None
        self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings.append(data)
        elif self._in == "th":
            self.header[-1] += data
        elif self._in == "td":
            self.rows[-1][-1] += data
        elif self._in == "script":
            self.scripts[-1]["text"] += data


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, int]:
    """The page for the shared test store, and how many reports that store holds."""
    _, store, _ = corpus_store(tmp_path_factory)
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = subprocess.run([*GIPNLP, "report", str(store), "--out", str(out)], capture_output=True, text=True,
                            env=ENV, timeout=CHROMIUM_TIMEOUT)
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(store)) as connection:
        reports = connection.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    return out, reports


def assert_charts_and_table(parsed: Page, reports: int) -> None:
    for title in CHARTS:
        assert sum(heading.startswith(title) for heading in parsed.headings) == 1, (title, parsed.headings)
    assert parsed.svgs == len(CHARTS) and parsed.bars > len(CHARTS)
    assert parsed.header == COLUMNS
    assert len(parsed.rows) == reports


def test_page_is_self_contained_with_five_charts_and_a_sortable_table(page):
    path, reports = page
    text = path.read_text(encoding="utf-8")
    parsed = Page(text)
    assert not [url for url in parsed.urls if re.match(r"\s*(https?:)?//", url, re.I)]
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {SVG_NAMESPACE}
    assert not re.search(r"<link\b|@import|url\(", text, re.I)
    assert all("src" not in script["attrs"] for script in parsed.scripts)
    assert_charts_and_table(parsed, reports)
    sorter = next(s["text"] for s in parsed.scripts if "type" not in s["attrs"])
    assert "#reports th" in sorter and "sort" in sorter and "click" in sorter
    data = json.loads(next(s["text"] for s in parsed.scripts if s["attrs"].get("id") == "data"))
    assert data["reports"] == reports and {"problem_themes", "coverage", "score_histogram"} <= set(data)


# ---------------------------------------------------------------- in a real browser

def chromium() -> str:
    found = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
    if not found:
        pytest.skip("Chromium is not installed (no /usr/bin/chromium, no chromium on PATH); "
                    "on Debian: apt-get install chromium")
    return found


def browse(page: Path, profile: Path, *mode: str) -> subprocess.CompletedProcess:
    """Headless Chromium on the page, offline: no network services, a throw-away profile."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *mode, page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_browser_builds_the_charts_and_table(page, tmp_path):
    path, reports = page
    dom = browse(path, tmp_path / "profile", "--dump-dom").stdout
    assert_charts_and_table(Page(dom), reports)


def test_clicking_a_column_header_sorts_the_table(page, tmp_path):
    path, reports = page
    score = COLUMNS.index("score")
    clicked = tmp_path / "clicked.html"  # the same page, with a click on the score header once it has loaded
    clicked.write_text(path.read_text(encoding="utf-8").replace(
        "</body>", f"<script>document.querySelectorAll('#reports th')[{score}].click();</script></body>"),
        encoding="utf-8")
    before = [float(row[score]) for row in Page(path.read_text(encoding="utf-8")).rows if row[score]]
    rows = Page(browse(clicked, tmp_path / "profile", "--dump-dom").stdout).rows
    assert len(rows) == reports and all(len(row) == len(COLUMNS) for row in rows)
    scores = [float(row[score]) for row in rows if row[score]]
    assert scores == sorted(before)
    assert before != scores, "the store's order happened to be sorted already"


def test_screenshot_is_a_full_page_picture(page, tmp_path):
    path, _ = page
    shot = tmp_path / "report.png"
    browse(path, tmp_path / "profile", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 16, "the screenshot is (nearly) blank"
