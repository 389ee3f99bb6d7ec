"""Content flags: what an auditor must see once the units are classified.

`check(segmentation, tagged_units)` returns the flags that need the classifier: overview aspects
missing or unheaded, off-topic subsections, missing or generic problems and measures, problems
with no matching measure, and the boilerplate share. Structural flags come from the segmenter,
table flags from tables.py, repetition flags from index.py.
"""
from __future__ import annotations

from typing import Sequence

from . import resources
from .types import Flag, Segmentation, TaggedUnit

BOILERPLATE_WARNING_SHARE = 0.5  # above this share of generic units the flag is a warning
_EVIDENCE_CHARS = 120


def _aspects() -> dict:
    return resources.load_json("aspects.json")


def _short(text: str) -> str:
    return text if len(text) <= _EVIDENCE_CHARS else text[:_EVIDENCE_CHARS] + "…"


def check(seg: Segmentation, units: Sequence[TaggedUnit]) -> list[Flag]:
    flags: list[Flag] = []
    flags += overview_aspects(seg, units)
    flags += off_topic_subsections(units)
    flags += problems_and_measures(seg, units)
    flags += boilerplate(units)
    return flags


def overview_aspects(seg: Segmentation, units: Sequence[TaggedUnit]) -> list[Flag]:
    """Refine the segmenter's overview_subsection_missing by what the overview actually covers."""
    aspects = _aspects()
    overview_units = [u for u in units if u.unit.section == "overview"]
    flags = []
    for flag in seg.flags:
        if flag.code != "overview_subsection_missing":
            continue
        aspect = flag.evidence[0]
        wanted = set(aspects["themes"][aspect])
        covering = [u for u in overview_units if wanted & set(u.prediction.themes)]
        name = aspects["names"][aspect]
        if covering:
            flags.append(Flag("overview_aspect_unheaded", "warning",
                              f"总体情况 covers {name} ({aspect}) but has no subsection heading for it",
                              (aspect, *(_short(u.unit.text) for u in covering[:2]))))
        else:
            flags.append(Flag("overview_subsection_missing", "error",
                              f"总体情况 says nothing about the required aspect {name} ({aspect})", (aspect,)))
    return flags


def off_topic_subsections(units: Sequence[TaggedUnit]) -> list[Flag]:
    """A standard overview subsection none of whose units concerns its aspect."""
    aspects = _aspects()
    by_subsection: dict[tuple[str, str | None], list[TaggedUnit]] = {}
    for u in units:
        if u.unit.section == "overview" and u.unit.subsection in aspects["themes"]:
            by_subsection.setdefault((u.unit.subsection, u.unit.heading), []).append(u)
    flags = []
    for (aspect, heading), members in by_subsection.items():
        wanted = set(aspects["themes"][aspect])
        if not any(wanted & set(u.prediction.themes) for u in members):
            found = sorted({t for u in members for t in u.prediction.themes})
            flags.append(Flag("off_topic_subsection", "warning",
                              f"subsection '{heading}' ({aspect}) does not describe {aspects['names'][aspect]}"
                              f" work; its units concern {found or 'no disclosure theme'}",
                              (aspect, *(_short(u.unit.text) for u in members[:2]))))
    return flags


def problems_and_measures(seg: Segmentation, units: Sequence[TaggedUnit]) -> list[Flag]:
    section_five = [u for u in units if u.unit.section == "problems"]
    problems = [u for u in section_five if u.prediction.role == "problem"]
    measures = [u for u in units if u.prediction.role == "measure" and u.unit.section in ("problems", "overview")]
    flags = []
    if not problems:
        where = "section 五 is missing" if seg.section("problems") is None else "section 五 names no problem"
        flags.append(Flag("problems_missing", "error", f"{where}: the report states no shortcoming of its own"))
    elif all(u.prediction.generic for u in problems):
        flags.append(Flag("problems_generic", "warning",
                          f"all {len(problems)} problems in section 五 are generic (could stand in any report)",
                          tuple(_short(u.unit.text) for u in problems[:3])))
    if not [u for u in section_five if u.prediction.role == "measure"]:
        flags.append(Flag("measures_missing", "error", "section 五 states no improvement measure"))
    measure_themes = {t for u in measures for t in u.prediction.themes}
    for theme in sorted({t for u in problems for t in u.prediction.themes} - measure_themes):
        evidence = [u for u in problems if theme in u.prediction.themes]
        flags.append(Flag("problem_without_measure", "warning",
                          f"a '{theme}' problem has no measure of the same theme",
                          tuple(_short(u.unit.text) for u in evidence[:2])))
    return flags


def boilerplate(units: Sequence[TaggedUnit]) -> list[Flag]:
    """Share of generic units in 总体情况 and 五 (what evaluators call 泛泛而谈)."""
    narrative = [u for u in units if u.unit.section in ("overview", "problems")]
    if not narrative:
        return []
    shares = {}
    for section in ("overview", "problems"):
        members = [u for u in narrative if u.unit.section == section]
        if members:
            shares[section] = sum(u.prediction.generic for u in members) / len(members)
    overall = sum(u.prediction.generic for u in narrative) / len(narrative)
    severity = "warning" if overall > BOILERPLATE_WARNING_SHARE else "info"
    detail = ", ".join(f"{name} {share:.0%}" for name, share in shares.items())
    examples = tuple(_short(u.unit.text) for u in narrative if u.prediction.generic)[:3]
    return [Flag("boilerplate_units", severity, f"{overall:.0%} of narrative units are generic ({detail})",
                 examples, value=round(overall, 4))]
