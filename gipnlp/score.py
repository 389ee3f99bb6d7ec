"""An explainable 0–100 quality score: every point taken off names the flag that cost it.

Components, weights and per-flag deductions are data (resources/scoring.json), not code.
"""
from __future__ import annotations

from typing import Sequence

from . import resources
from .types import Deduction, Flag, Score, ScoreComponent


def _round(x: float) -> float:
    return round(x, 2)


def score(flags: Sequence[Flag]) -> Score:
    config = resources.load_json("scoring.json")["components"]
    components = [_component(name, spec, flags) for name, spec in config.items()]
    return Score(_round(sum(c.points for c in components)), tuple(components))


def _component(name: str, spec: dict, flags: Sequence[Flag]) -> ScoreComponent:
    deductions: list[Deduction] = []
    for rule in spec["rules"]:
        raised = [f for f in flags if f.code == rule["flag"]]
        if not raised:
            continue
        points = min(_rule_points(rule, raised), rule["max"])
        if points > 0:
            deductions.append(Deduction(rule["flag"], _round(points), _reason(rule, raised)))
    lost = min(sum(d.points for d in deductions), spec["weight"])
    return ScoreComponent(name, spec["weight"], _round(spec["weight"] - lost), tuple(deductions))


def _rule_points(rule: dict, raised: Sequence[Flag]) -> float:
    if "per_value" in rule:
        return sum(max(0.0, (f.value or 0.0) - rule.get("above", 0.0)) * rule["per_value"] for f in raised)
    return rule["each"] * len(raised)


def _reason(rule: dict, raised: Sequence[Flag]) -> str:
    if len(raised) == 1:
        return raised[0].message
    return f"{len(raised)} × {rule['flag']}: " + "; ".join(f.message for f in raised[:3]) + ("…" if len(raised) > 3 else "")


def score_dict(result: Score) -> dict:
    return {"total": result.total, "components": [{
        "name": c.name, "weight": c.weight, "points": c.points,
        "deductions": [{"flag": d.flag, "points": d.points, "reason": d.reason} for d in c.deductions],
    } for c in result.components]}
