"""Chinese word segmentation: an isolated jieba tokenizer with gipnlp's domain dictionary.

The tokenizer is created once per process (lazily), never touches jieba's global state, and gives
the same tokens for the same text every time.
"""
from __future__ import annotations

import logging
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


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Content words of `text`: jieba tokens without stop-words, whitespace or lone punctuation."""
    stop = stopwords()
    return tuple(t for t in tokenizer().lcut(text, HMM=True)
                 if t.strip() and t not in stop and not _is_punctuation(t))


def _is_punctuation(token: str) -> bool:
    return all(not ch.isalnum() for ch in token)


def domain_words() -> list[str]:
    """Words of the shipped domain dictionary (useful for tests and documentation)."""
    return [line.split()[0] for line in resources.read_text("domain_dict.txt").splitlines() if line.strip()]
