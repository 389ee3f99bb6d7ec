"""Shared fixtures. Tests that need ../shared (the real seed reports and eval data) skip cleanly
when it is absent, as it is in a user's clone."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
REPORTS = ROOT / "tests" / "data" / "reports"
EXAMPLE = ROOT / "examples" / "sample_report.txt"
NO_SHARED = "../shared (seed reports and eval data) is not present in this checkout"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(NO_SHARED)
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    if not SEEDS.is_dir():
        pytest.skip(NO_SHARED)
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def segmentation_probes() -> list[dict]:
    path = EVAL / "seeds-segmentation.jsonl"
    if not path.is_file():
        pytest.skip(NO_SHARED)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tagger():
    """The bundled default model (verified on load)."""
    from gipnlp import models

    return models.load()


@pytest.fixture(scope="session")
def small_corpus():
    """A few hundred units of the bundled corpus: enough to exercise fit/predict quickly."""
    from gipnlp import corpus

    units = corpus.deduplicate(corpus.load([ROOT / "corpora"]))
    train, _ = corpus.train_test_split(units, test_size=0.85, random_state=1)
    return train
