"""`gipnlp report`: one self-contained HTML page summarising a results store.

Charts are inline SVG drawn here (no script or font is fetched at view time); the reports table
sorts with a few lines of inline JavaScript. `store_frames` gives the same numbers as pandas data
frames, which the notebook uses to reproduce the charts.
"""
from __future__ import annotations

import html
import json
from collections import Counter
from contextlib import closing
from pathlib import Path

from . import atomic
from .query import THEMES
from .store import connect

BAR_WIDTH = 420
SCORE_BINS = [(0, 40), (40, 50), (50, 60), (60, 70), (70, 80), (80, 90), (90, 101)]


def summary(store_path: str | Path) -> dict:
    """Everything the page shows, as plain data."""
    connection = connect(store_path, create=False)
    try:
        reports = connection.execute(
            "SELECT report_id, source, agency, year, score, status, error FROM reports ORDER BY report_id").fetchall()
        theme_rows = connection.execute("SELECT report_id, theme, role FROM unit_themes").fetchall()
        flag_rows = connection.execute("SELECT report_id, code FROM flags").fetchall()
    finally:
        connection.close()
    ok = [r for r in reports if r[5] == "ok"]
    problem_themes = Counter(t for _, t, role in theme_rows if role == "problem")
    measure_themes = Counter(t for _, t, role in theme_rows if role == "measure")
    with_problem = {t: {rid for rid, th, role in theme_rows if th == t and role == "problem"} for t in THEMES}
    with_measure = {t: {rid for rid, th, role in theme_rows if th == t and role == "measure"} for t in THEMES}
    coverage = {t: (len(with_problem[t] & with_measure[t]), len(with_problem[t])) for t in THEMES if with_problem[t]}
    scores = [r[4] for r in ok if r[4] is not None]
    histogram = {f"{lo}–{min(hi, 100)}": sum(lo <= s < hi for s in scores) for lo, hi in SCORE_BINS}
    flags_per_report = Counter((rid, code) for rid, code in flag_rows)
    flag_counts = Counter(code for _, code in flags_per_report)
    codes_by_report: dict[int, set] = {}
    for rid, code in flag_rows:
        codes_by_report.setdefault(rid, set()).add(code)
    return {
        "reports": len(reports), "errors": len(reports) - len(ok),
        "problem_themes": dict(problem_themes.most_common()), "measure_themes": dict(measure_themes.most_common()),
        "coverage": coverage, "score_histogram": histogram, "flags": dict(flag_counts.most_common()),
        "table": [{"source": r[1], "agency": r[2], "year": r[3], "score": r[4], "status": r[5],
                   "flags": ", ".join(sorted(codes_by_report.get(r[0], ()))) or (r[6] or "")} for r in reports],
    }


def bar_chart(title: str, counts: dict, *, labels: dict | None = None, unit: str = "") -> str:
    """A titled horizontal bar chart as inline SVG (an <h2> and an <svg>), one bar per key of `counts`."""
    e = html.escape
    if not counts:
        return f"<h2>{e(title)}</h2><p>none</p>"
    top = max(counts.values()) or 1
    row_height = 22
    rows = []
    for i, (name, value) in enumerate(counts.items()):
        width = BAR_WIDTH * value / top
        label = (labels or {}).get(name, name)
        rows.append(f'<text x="0" y="{i * row_height + 15}" font-size="13">{e(str(label))}</text>'
                    f'<rect x="190" y="{i * row_height + 3}" width="{width:.1f}" height="16" fill="#4a78b5"/>'
                    f'<text x="{195 + width:.1f}" y="{i * row_height + 15}" font-size="12">{e(str(value))}{unit}</text>')
    height = row_height * len(counts) + 6
    return (f'<h2>{e(title)}</h2><svg role="img" aria-label="{e(title)}" width="{190 + BAR_WIDTH + 80}" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def render(data: dict) -> str:
    e = html.escape
    coverage = {t: round(100 * answered / total) for t, (answered, total) in data["coverage"].items()}
    coverage_labels = {t: f"{t} ({data['coverage'][t][0]}/{data['coverage'][t][1]})" for t in coverage}
    rows = "".join(
        "<tr>" + "".join(f"<td>{e('' if row[k] is None else str(row[k]))}</td>"
                         for k in ("source", "agency", "year", "score", "status", "flags")) + "</tr>"
        for row in data["table"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>gipnlp corpus report</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:.2em .5em}} th{{cursor:pointer;background:#eef}}</style></head><body>
<h1>gipnlp corpus report</h1>
<p id="totals">{data['reports']} reports, {data['errors']} could not be analysed.</p>
{bar_chart("Problem themes (units)", data["problem_themes"])}
{bar_chart("Measure themes (units)", data["measure_themes"])}
{bar_chart("Score distribution (reports)", data["score_histogram"])}
{bar_chart("Most common flags (reports)", data["flags"])}
{bar_chart("Problem → measure coverage: reports whose problem theme is answered by a measure", coverage, labels=coverage_labels, unit="%")}
<h2>Reports</h2>
<table id="reports"><thead><tr><th>source</th><th>agency</th><th>year</th><th>score</th><th>status</th><th>flags</th></tr></thead>
<tbody>{rows}</tbody></table>
<script>
document.querySelectorAll('#reports th').forEach(function (th, column) {{
  th.addEventListener('click', function () {{
    var body = document.querySelector('#reports tbody');
    var rows = Array.from(body.rows), asc = th.dataset.asc !== '1';
    rows.sort(function (a, b) {{
      var x = a.cells[column].textContent, y = b.cells[column].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
      return asc ? c : -c;
    }});
    th.dataset.asc = asc ? '1' : '0';
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }});
}});
</script>
<script type="application/json" id="data">{_script_json({k: v for k, v in data.items() if k != "table"})}</script>
</body></html>
"""


def _script_json(value) -> str:
    """JSON to embed in a <script> element: its text is not HTML-unescaped, so only "<" needs escaping."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def write(store_path: str | Path, out: str | Path) -> dict:
    data = summary(store_path)
    atomic.write_text(out, render(data))
    return data


def store_frames(store_path: str | Path) -> dict:
    """The store as pandas data frames: reports, units, unit_themes, flags."""
    import pandas as pd

    with closing(connect(store_path, create=False)) as connection:  # validates the store
        return {name: pd.read_sql_query(f"SELECT * FROM {name}", connection)
                for name in ("reports", "units", "unit_themes", "flags")}
