"""Chinese word segmentation: an isolated jieba tokenizer with gipnlp's domain dictionary.

The tokenizer is created once per process (lazily), never touches jieba's global state, and gives
the same tokens for the same text every time.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from . import resources

_lock = threading.Lock()


@lru_cache(maxsize=1)
def tokenizer():
    """The shared jieba.Tokenizer with the domain dictionary loaded."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    instance = jieba.Tokenizer()
    with _lock:
        instance.initialize()
        for line in resources.read_text("domain_dict.txt").splitlines():
            word, freq, tag = (line.split() + ["", ""])[:3]
            if word:
                instance.add_word(word, int(freq) if freq else None, tag or None)
    return instance


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(w.strip() for w in resources.read_text("stopwords.txt").splitlines() if w.strip())


_WORD_CHARACTER = re.compile(r"[^\W_]")  # a token with no letter or digit is punctuation or space
_TOKEN_CACHE: dict[str, tuple[str, ...]] = {}
_TOKEN_CACHE_SIZE = 10_000  # texts (units and their clauses); emptied when it grows past this, so memory stays flat


def tokens(text: str) -> tuple[str, ...]:
    """All jieba tokens of `text`, punctuation included ("".join(tokens(t)) == t)."""
    found = _TOKEN_CACHE.get(text)
    if found is None:
        found = tuple(tokenizer().lcut(text, HMM=True))
        remember(text, found)
    return found


def remember(text: str, text_tokens: tuple[str, ...]) -> None:
    """Record the tokens of `text` (e.g. a clause cut from an already tokenised unit)."""
    if len(_TOKEN_CACHE) >= _TOKEN_CACHE_SIZE:
        _TOKEN_CACHE.clear()
    _TOKEN_CACHE[text] = text_tokens


def words(text: str) -> tuple[str, ...]:
    """Content words of `text`: jieba tokens without stop-words, whitespace or lone punctuation."""
    return content_words(tokens(text))


def content_words(text_tokens: tuple[str, ...]) -> tuple[str, ...]:
    stop = stopwords()
    return tuple(t for t in text_tokens if t not in stop and _WORD_CHARACTER.search(t))
