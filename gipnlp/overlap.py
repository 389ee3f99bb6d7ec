"""Detect evaluation units that overlap the training corpus, exactly or nearly.

A model folder carries fingerprints of its training units (train_fingerprints.npz: a hash of each
normalised text and a MinHash signature of its character 3-grams). `evaluate` refuses to report
metrics on units that match them, so nobody reports accuracy on training data by mistake.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import CorpusError
from .features import clean_text

FINGERPRINTS = "train_fingerprints.npz"
NUM_PERM = 32
NEAR_DUPLICATE_JACCARD = 0.8
_SEED = 7


def _key(text: str) -> str:
    return "".join(ch for ch in clean_text(text) if ch.isalnum())


def _exact(text: str) -> int:
    return int.from_bytes(hashlib.sha1(_key(text).encode("utf-8")).digest()[:8], "big", signed=True)


def _signature(text: str) -> np.ndarray:
    from datasketch import MinHash

    key = _key(text)
    shingles = {key[i:i + 3] for i in range(max(len(key) - 2, 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash.hashvalues.astype(np.uint64)


def fingerprints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    exact = np.array([_exact(t) for t in texts], dtype=np.int64)
    signatures = np.vstack([_signature(t) for t in texts]) if texts else np.zeros((0, NUM_PERM), np.uint64)
    return exact, signatures


def fingerprint_bytes(units) -> bytes:
    exact, signatures = fingerprints([u.text for u in units])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, exact=exact, minhash=signatures)
    return buffer.getvalue()


def overlapping(texts: Sequence[str], model_dir: Path) -> list[tuple[int, str]]:
    """(index, 'exact'|'near') for each text that overlaps the model's training units."""
    path = Path(model_dir) / FINGERPRINTS
    if not path.is_file():
        return []
    with np.load(path, allow_pickle=False) as data:
        train_exact, train_minhash = set(data["exact"].tolist()), data["minhash"]
    found = []
    for index, text in enumerate(texts):
        if _exact(text) in train_exact:
            found.append((index, "exact"))
        elif len(train_minhash):
            similarity = (train_minhash == _signature(text)).mean(axis=1)
            if similarity.max() >= NEAR_DUPLICATE_JACCARD:
                found.append((index, "near"))
    return found


def refuse_overlap(units, model_dir: Path) -> None:
    found = overlapping([u.text for u in units], model_dir)
    if found:
        raise CorpusError([f"{units[i].where}: unit {units[i].id!r} is a{'n' if kind == 'exact' else ''} "
                           f"{kind} duplicate of a training unit; metrics on it would not measure generalisation"
                           for i, kind in found] + ["(pass --allow-overlap to evaluate anyway, knowing this)"])
