"""Model folders on disk: the card, the file hashes and their check (no scikit-learn needed).

Kept apart from models.py so that a process that only checks a model folder (the main process of
`gipnlp batch`, which hands the work to workers) need not import scikit-learn.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import ModelError
from .resources import TAXONOMY_VERSION

MODEL_FILE = "tagger.joblib"  # the three classifiers, sharing one fitted feature extractor
CARD = "card.json"
MODEL_FORMAT = 3  # bump when the estimators' attributes change: older model folders must be retrained
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_card(model_dir: str | Path) -> dict:
    model_dir = Path(model_dir)
    card_path = model_dir / CARD
    if not model_dir.is_dir():
        raise ModelError("model folder not found (pass --model DIR with a folder made by `gipnlp train`)",
                         path=str(model_dir))
    if not card_path.is_file():
        raise ModelError("model card.json is missing; refusing to load an unverified model", path=str(card_path))
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"model card is not valid JSON ({error})", path=str(card_path)) from None
    if not isinstance(card, dict) or not isinstance(card.get("files"), dict):
        raise ModelError("model card has no 'files' table of SHA-256 hashes", path=str(card_path))
    return card


def verify(model_dir: str | Path) -> dict:
    """Check the card and every file's SHA-256; return the card. Nothing is unpickled here."""
    model_dir = Path(model_dir)
    card = read_card(model_dir)
    if card.get("taxonomy_version") != TAXONOMY_VERSION:
        raise ModelError(f"model was trained for taxonomy {card.get('taxonomy_version')!r}, "
                         f"this gipnlp uses {TAXONOMY_VERSION!r}; retrain it", path=str(model_dir / CARD))
    if card.get("model_format") != MODEL_FORMAT:
        raise ModelError(f"model folder has format {card.get('model_format')!r} but this gipnlp reads format "
                         f"{MODEL_FORMAT}; retrain it with `gipnlp train`", path=str(model_dir / CARD))
    for name in sorted({MODEL_FILE} | set(card["files"])):
        path = model_dir / name
        expected = card["files"].get(name)
        if not path.is_file():
            raise ModelError("model file is missing", path=str(path))
        if expected is None or sha256_file(path) != expected:
            raise ModelError("model file does not match the SHA-256 in card.json (tampered, truncated or "
                             "replaced); refusing to load it", path=str(path))
    return card
