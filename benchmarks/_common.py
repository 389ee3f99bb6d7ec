"""Inputs shared by the benchmarks: the seed reports when ../shared is present, else team-written ones."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
TEAM = ROOT / "tests" / "data" / "reports"


def report_paths() -> list[Path]:
    if SEEDS.is_dir():
        return sorted(SEEDS.glob("*.txt"))
    return sorted(p for p in TEAM.glob("*.txt") if p.name != "not_a_report.txt")
