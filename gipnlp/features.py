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
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.preprocessing import normalize as normalize_rows
from sklearn.utils.validation import check_is_fitted

from . import resources, tokenize
from .markers import starts_item
from .normalize import normalize
from .tokenize import words

Record = Mapping[str, object]
_NUMBER = re.compile(r"\d")
_NAMED = re.compile(r"[《“\"'‘「『][^》”\"'’」』]{2,30}[》”\"'’」』]")


# Real corpora repeat many units word for word (boilerplate, lead-ins, "无"), so the per-unit features
# below are remembered for the most recent texts of this process (bounded, to keep workers small).
_RECENT_UNITS = 8192


@lru_cache(maxsize=_RECENT_UNITS)
def clean_text(text: str) -> str:
    """The unit's text as the models see it: normalised, on one line."""
    return normalize(text).replace("\n", "")


def texts(records: Iterable[Record]) -> list[str]:
    return [clean_text(str(r.get("text") or "")) for r in records]


@lru_cache(maxsize=_RECENT_UNITS)
def word_ngrams(text: str) -> tuple[str, ...]:
    """jieba words and adjacent word pairs."""
    tokens = words(text)
    return tokens + tuple(f"{a}_{b}" for a, b in zip(tokens, tokens[1:]))


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    lexicon = resources.load_json("lexicon.json")
    groups = {**lexicon["themes"], **lexicon["roles"], **lexicon["specificity"]}
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
    """Where the unit stands and what it looks like, as sparse named features (do not modify the result)."""
    text = clean_text(str(record.get("text") or ""))
    heading = clean_text(str(record.get("heading") or "")) if record.get("heading") else ""
    return _context(text, str(record.get("section") or "unknown"), heading)


@lru_cache(maxsize=_RECENT_UNITS)
def _context(text: str, section: str, heading: str) -> dict[str, float]:
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


_WHITESPACE_RUN = re.compile(r"\s\s+")
_CODE_BITS = 21  # every Unicode code point + 1 fits in 21 bits, so a 3-gram key fits in 63


class CharNgramTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over character n-grams: the vocabulary and weights of sklearn's
    TfidfVectorizer(analyzer="char", sublinear_tf=True), with a vectorised transform.

    sklearn builds every n-gram as a Python string and looks it up in a dict, which made character
    n-grams the slowest step of tagging. Here each n-gram becomes an integer key computed with numpy
    from the code points (up to 3 characters) and is looked up in a hash index of the vocabulary's
    keys; the resulting matrix equals sklearn's (tests/test_features.py checks that).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_df: int = 2, max_features: int | None = 60000):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, X, y=None):
        low, high = self.ngram_range
        if not 1 <= low <= high <= 3:
            raise ValueError(f"ngram_range must lie within (1, 3), got {self.ngram_range}")
        reference = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, min_df=self.min_df,
                                    sublinear_tf=True, max_features=self.max_features).fit(X)
        self.vocabulary_ = reference.vocabulary_
        self.idf_ = reference.idf_
        terms = sorted(self.vocabulary_, key=self.vocabulary_.get)
        self.keys_ = np.array([_ngram_key(term) for term in terms], dtype=np.int64)  # in column order
        return self

    def _key_index(self):
        """A hash index over the vocabulary keys (built on first use; not pickled)."""
        if getattr(self, "_index", None) is None:
            import pandas as pd

            self._index = pd.Index(self.keys_)
        return self._index

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns the live __dict__
        state.pop("_index", None)
        state.pop("vocabulary_", None)  # keys_ holds the same terms; a large dict is slow to unpickle
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "keys_" in state:
            self.vocabulary_ = {_ngram_term(int(key)): column for column, key in enumerate(self.keys_)}

    def transform(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "keys_")
        index = self._key_index()
        documents = [_WHITESPACE_RUN.sub(" ", text.lower()) for text in X]
        if not documents:
            return sp.csr_matrix((0, len(self.idf_)))
        lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
        codes = np.frombuffer("".join(documents).encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
        owner = np.repeat(np.arange(len(documents)), lengths)
        ends = np.repeat(np.cumsum(lengths), lengths)  # for each character, where its document ends
        rows, columns = [], []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            starts = np.flatnonzero(np.arange(len(codes)) + n <= ends)
            keys = codes[starts]
            for offset in range(1, n):
                keys = (keys << _CODE_BITS) | codes[starts + offset]
            found = index.get_indexer(keys)  # column of each n-gram, -1 when not in the vocabulary
            known = found >= 0
            rows.append(owner[starts[known]])
            columns.append(found[known])
        return _sublinear_tfidf(np.concatenate(rows), np.concatenate(columns), len(documents), self.idf_)


def _sublinear_tfidf(rows: np.ndarray, columns: np.ndarray, n_documents: int, idf: np.ndarray) -> sp.csr_matrix:
    """(1 + log count) × idf, each row scaled to unit length: what TfidfVectorizer(sublinear_tf=True)
    gives for the term occurrences (row, column)."""
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n_documents, len(idf)))
    counts.sum_duplicates()
    np.log(counts.data, out=counts.data)
    counts.data += 1.0
    return normalize_rows(counts @ sp.diags(idf), norm="l2", copy=False)


class ContextVectorizer(TransformerMixin, BaseEstimator):
    """DictVectorizer for the numeric `context` features: the same vocabulary and matrix, with a plain
    loop in place of DictVectorizer's per-value type checks (which cost more than the features)."""

    def fit(self, X, y=None):
        self.vocabulary_ = DictVectorizer().fit(X).vocabulary_
        return self

    def transform(self, X) -> sp.csr_matrix:
        check_is_fitted(self, "vocabulary_")
        vocabulary, columns, values, starts = self.vocabulary_, [], [], [0]
        for features in X:
            for name, value in features.items():
                column = vocabulary.get(name)
                if column is not None:
                    columns.append(column)
                    values.append(value)
            starts.append(len(columns))
        matrix = sp.csr_matrix((np.asarray(values, dtype=float), np.asarray(columns, dtype=np.int32), starts),
                               shape=(len(starts) - 1, len(vocabulary)))
        matrix.sort_indices()
        return matrix


def _ngram_key(term: str) -> int:
    key = 0
    for character in term:
        key = (key << _CODE_BITS) | (ord(character) + 1)
    return key


def _ngram_term(key: int) -> str:
    characters = []
    while key:
        characters.append(chr((key & ((1 << _CODE_BITS) - 1)) - 1))
        key >>= _CODE_BITS
    return "".join(reversed(characters))


def build_features(*, char_ngrams: tuple[int, int] = (1, 3), min_df: int = 2) -> FeatureUnion:
    """A fresh, unfitted feature extractor."""
    return FeatureUnion([
        ("words", Pipeline([
            ("text", FunctionTransformer(texts)),
            ("tfidf", TfidfVectorizer(analyzer=word_ngrams, min_df=min_df, sublinear_tf=True)),
        ])),
        ("chars", Pipeline([
            ("text", FunctionTransformer(texts)),
            ("tfidf", CharNgramTfidf(ngram_range=char_ngrams, min_df=min_df, max_features=60000)),
        ])),
        ("context", Pipeline([
            ("dicts", FunctionTransformer(contexts)),
            ("vectorize", ContextVectorizer()),
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
