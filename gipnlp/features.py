"""Features of a unit: jieba word n-grams, character n-grams, its section and heading, cue words.

Estimators receive X as a sequence of mappings with the keys "text" and, optionally, "section"
and "heading" (the shape of one line of a `gipnlp tag` input file). Every callable here is a
module-level function or a small class so that fitted pipelines pickle and clone cleanly.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from . import resources, tokenize
from .markers import starts_item
from .normalize import normalize
from .tokenize import words

Record = Mapping[str, object]
_NUMBER = re.compile(r"\d")
_NAMED = re.compile(r"[《“\"'‘「『][^》”\"'’」』]{2,30}[》”\"'’」』]")


@lru_cache(maxsize=65536)
def clean_text(text: str) -> str:
    """The unit's text as the models see it: normalised, on one line."""
    return normalize(text).replace("\n", "")


def texts(records: Iterable[Record]) -> list[str]:
    return [clean_text(str(r.get("text") or "")) for r in records]


def word_ngrams(text: str) -> list[str]:
    """jieba words and adjacent word pairs."""
    tokens = list(words(text))
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:])]


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    lexicon = resources.load_json("lexicon.json")
    groups = {**lexicon["themes"], **lexicon["roles"]}
    return {
        "cues": {label: re.compile("|".join(map(re.escape, sorted(words_, key=len, reverse=True))))
                 for label, words_ in groups.items()},
        "heading": {k: re.compile(v) for k, v in lexicon["heading_cues"].items()},
    }


def heading_kind(heading: str | None) -> str:
    """'measure', 'problem', 'combined' or 'none': what a heading announces."""
    if not heading:
        return "none"
    cues = _lexicon()["heading"]
    is_measure = bool(cues["measure"].search(heading))
    is_problem = bool(cues["problem"].search(heading))
    if is_measure and is_problem:
        return "combined"
    return "measure" if is_measure else "problem" if is_problem else "other"


def context(record: Record) -> dict[str, float]:
    """Where the unit stands and what it looks like, as sparse named features."""
    text = clean_text(str(record.get("text") or ""))
    heading = clean_text(str(record.get("heading") or "")) if record.get("heading") else ""
    section = str(record.get("section") or "unknown")
    kind = heading_kind(heading)
    features = {f"section={section}": 1.0, f"heading={kind}": 1.0, f"section_heading={section}|{kind}": 1.0}
    if _NUMBER.search(text):
        features["has_number"] = 1.0
    if _NAMED.search(text):
        features["has_named_item"] = 1.0
    if starts_item(text):
        features["enumerated"] = 1.0
    features[f"length={min(len(text) // 15, 6)}"] = 1.0
    lexicon = _lexicon()
    for label, cues in lexicon["cues"].items():
        hits = len(set(cues.findall(text)))  # distinct cue words present
        if hits:
            features[f"cue_{label}"] = min(hits, 3) / 3
    return features


def contexts(records: Iterable[Record]) -> list[dict[str, float]]:
    return [context(r) for r in records]


def build_features(*, char_ngrams: tuple[int, int] = (1, 3), min_df: int = 2) -> FeatureUnion:
    """A fresh, unfitted feature extractor."""
    return FeatureUnion([
        ("words", Pipeline([
            ("text", FunctionTransformer(texts)),
            ("tfidf", TfidfVectorizer(analyzer=word_ngrams, min_df=min_df, sublinear_tf=True)),
        ])),
        ("chars", Pipeline([
            ("text", FunctionTransformer(texts)),
            ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=char_ngrams, min_df=min_df,
                                      sublinear_tf=True, max_features=60000)),
        ])),
        ("context", Pipeline([
            ("dicts", FunctionTransformer(contexts)),
            ("vectorize", DictVectorizer()),
        ])),
    ])


_CLAUSE_BREAKS = frozenset("，,；;：:")
MIN_CLAUSE_CHARS = 6
MIN_POOLED_UNIT_CHARS = 30  # shorter units are scored whole: their clauses add little but cost time


def clauses(text: str) -> list[str]:
    """The comma-separated clauses of a long unit (empty when it has fewer than two).

    A long overview sentence often touches several themes, one per clause; looking at each clause
    on its own keeps one theme's words from being diluted by the others. Clauses are cut from the
    unit's jieba tokens, so each clause costs no second pass of the tokenizer.
    """
    if len(text) < MIN_POOLED_UNIT_CHARS:
        return []
    parts, current = [], []
    for token in (*tokenize.tokens(text), "，"):
        if token not in _CLAUSE_BREAKS:
            current.append(token)
            continue
        clause = "".join(current)
        if len(clause) >= MIN_CLAUSE_CHARS:
            tokenize.remember(clause, tuple(current))
            parts.append(clause)
        current = []
    return parts if len(parts) > 1 else []


def with_clauses(records: Sequence[Record]) -> tuple[list[Record], np.ndarray]:
    """The records followed by one record per clause; `owners[i]` is the unit row i belongs to."""
    expanded, owners = list(records), list(range(len(records)))
    for index, record in enumerate(records):
        for part in clauses(clean_text(str(record.get("text") or ""))):
            expanded.append({**record, "text": part})
            owners.append(index)
    return expanded, np.asarray(owners)


def as_records(items: Sequence) -> list[Record]:
    """Accept plain strings as well as mappings with a "text" key."""
    return [{"text": item} if isinstance(item, str) else item for item in items]
