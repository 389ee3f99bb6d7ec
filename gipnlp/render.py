"""Present an Analysis: a JSON-ready dict, a compact text summary, a self-contained HTML page."""
from __future__ import annotations

import html
from collections import Counter

from .api import segmentation_dict
from .models import THEMES
from .score import score_dict
from .types import Analysis

ROLE_COLOURS = {"problem": "#fde2e1", "measure": "#dff3e4", "statement": "#f4f4f4"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def analysis_dict(analysis: Analysis) -> dict:
    seg = segmentation_dict(analysis.segmentation)
    return {
        "source": analysis.source,
        "agency": analysis.agency,
        "year": analysis.year,
        "format_version": seg["format_version"],
        "sections": seg["sections"],
        "units": [{"text": t.unit.text, "section": t.unit.section, "subsection": t.unit.subsection,
                   "heading": t.unit.heading, "span": list(t.unit.span), **t.prediction.to_dict()}
                  for t in analysis.units],
        "flags": [f.to_dict() for f in sorted(analysis.flags, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))],
        "score": score_dict(analysis.score),
    }


def _by_theme(analysis: Analysis, role: str) -> Counter:
    return Counter(t for u in analysis.units if u.prediction.role == role for t in u.prediction.themes)


def analysis_text(analysis: Analysis) -> str:
    seg = analysis.segmentation
    lines = [f"{analysis.source}",
             f"  agency: {analysis.agency or '?'}   year: {analysis.year or '?'}   format: {seg.format_version}",
             f"  score: {analysis.score.total:.1f} / 100"]
    for c in analysis.score.components:
        lines.append(f"    {c.name:<26} {c.points:5.1f} / {c.weight:g}")
        for d in c.deductions:
            lines.append(f"      -{d.points:g} {d.flag}: {d.reason}")
    found = ", ".join(s.id + ("*" if s.inferred else "") for s in seg.sections)
    lines.append(f"  sections: {found}   (* = heading inferred)")
    overview = seg.section("overview")
    if overview is not None:
        lines.append("  overview subsections: " + (", ".join(s.id for s in overview.subsections) or "none"))
    roles = Counter(u.prediction.role for u in analysis.units)
    lines.append(f"  units: {len(analysis.units)}  (problems {roles['problem']}, measures {roles['measure']}, "
                 f"statements {roles['statement']})")
    for role in ("problem", "measure"):
        counts = _by_theme(analysis, role)
        lines.append(f"  {role}s by theme: " + (", ".join(f"{t} {n}" for t, n in counts.most_common()) or "none"))
    lines.append(f"  flags ({len(analysis.flags)}):")
    for f in sorted(analysis.flags, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)):
        lines.append(f"    [{f.severity}] {f.code}: {f.message}")
        for evidence in f.evidence[:2]:
            lines.append(f"        » {evidence}")
    return "\n".join(lines)


def analysis_html(analysis: Analysis) -> str:
    """One self-contained page (no scripts or resources from the network)."""
    e = html.escape
    units_html = []
    current = None
    for t in analysis.units:
        if t.unit.section != current:
            current = t.unit.section
            units_html.append(f"<h3>{e(current)}</h3>")
        p = t.prediction
        themes = " ".join(f'<span class="theme">{e(x)}</span>' for x in p.themes)
        generic = '<span class="generic">generic</span>' if p.generic else ""
        units_html.append(
            f'<p class="unit {e(p.role)}" style="background:{ROLE_COLOURS.get(p.role, "#fff")}" '
            f'title="role scores {e(str(p.role_scores))}"><span class="role">{e(p.role)}</span> '
            f'{themes} {generic}<br>{e(t.unit.text)}</p>')
    flags_html = "".join(
        f"<li class='{e(f.severity)}'><b>{e(f.code)}</b> ({e(f.severity)}): {e(f.message)}"
        + "".join(f"<blockquote>{e(x)}</blockquote>" for x in f.evidence[:2]) + "</li>"
        for f in sorted(analysis.flags, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)))
    components_html = "".join(
        f"<tr><td>{e(c.name)}</td><td>{c.points:g} / {c.weight:g}</td><td>"
        + "<br>".join(f"−{d.points:g} {e(d.flag)}: {e(d.reason)}" for d in c.deductions) + "</td></tr>"
        for c in analysis.score.components)
    legend = " ".join(f'<span class="unit" style="background:{c}">{r}</span>' for r, c in ROLE_COLOURS.items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>gipnlp — {e(analysis.agency or analysis.source)}</title>
<style>
body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
.unit{{padding:.3em .5em;border-radius:4px;margin:.3em 0}}
.role{{font-weight:bold;font-size:.8em;text-transform:uppercase}}
.theme{{background:#dde7f7;border-radius:3px;padding:0 .3em;font-size:.8em;margin-right:.2em}}
.generic{{background:#eee;border:1px dashed #999;border-radius:3px;padding:0 .3em;font-size:.8em}}
li.error{{color:#a00}} li.warning{{color:#a60}} blockquote{{color:#555;margin:.2em 1em}}
table{{border-collapse:collapse}} td{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}
</style></head><body>
<h1>{e(analysis.agency or '')} {e(str(analysis.year or ''))} 政府信息公开工作年度报告 — gipnlp</h1>
<p>Source: {e(analysis.source)}. Themes: {e(', '.join(THEMES))}.</p>
<h2>Score: {analysis.score.total:g} / 100</h2>
<table>{components_html}</table>
<h2>Flags</h2><ul>{flags_html}</ul>
<h2>Units</h2><p>{legend}</p>
{''.join(units_html)}
</body></html>
"""
