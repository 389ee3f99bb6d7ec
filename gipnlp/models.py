"""The three unit classifiers, the `Tagger` that bundles them, and model folders on disk.

Each classifier is a scikit-learn estimator (fit / predict / predict_proba, `clone`-able,
joblib-able): a feature union (features.py) followed by logistic regression. Themes are
one-vs-rest with a decision threshold per label tuned by inner cross-validation.

A model folder holds tagger.joblib (the three classifiers, which share one fitted feature extractor,
stored once) and card.json. The card records
the taxonomy version, the corpus SHA-256, library versions, metrics and the SHA-256 of every
file; `load` checks those hashes *before* unpickling anything, because joblib files execute code
when loaded. Only load model folders you trust.
"""
from __future__ import annotations

import copy
import datetime as _dt
import json
import numbers
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedKFold
from sklearn.utils.validation import check_is_fitted

from .card import CARD, DEFAULT_MODEL_DIR, MODEL_FILE, MODEL_FORMAT, sha256_file, verify
from .errors import ModelError
from .features import as_records, build_features, clean_text, with_clauses
from .markers import starts_item
from .resources import ROLES, TAXONOMY_VERSION, THEMES
from .types import Prediction


def _validate_X(X) -> list:
    records = as_records(list(X))
    if not records:
        raise ValueError("X is empty: expected at least one unit")
    for index, record in enumerate(records):
        if not hasattr(record, "get") or not isinstance(record.get("text"), str):
            raise ValueError(f"X[{index}] must be a string or a mapping with a string 'text'")
    return records


def _check_lengths(records: list, y, what: str) -> None:
    if len(y) != len(records):
        raise ValueError(f"X has {len(records)} units but y has {len(y)} {what}")


def _logistic(C: float, class_weight, random_state: int, *, multiclass: bool = False) -> LogisticRegression:
    # liblinear is fast and deterministic for binary problems but cannot do multinomial ones.
    return LogisticRegression(C=C, class_weight=class_weight, max_iter=3000, random_state=random_state,
                              solver="lbfgs" if multiclass else "liblinear")


class _SingleLabelClassifier(ClassifierMixin, BaseEstimator):
    """Features (features_) followed by one logistic regression (classifier_)."""

    def _fit(self, records: list, y: np.ndarray):
        self.features_ = build_features().fit(records)
        multiclass = len(set(y.tolist())) > 2
        self.classifier_ = _logistic(self.C, self.class_weight, self.random_state, multiclass=multiclass).fit(
            self.features_.transform(records), y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "classifier_")
        return self.predict_proba_matrix(self.features_.transform(_validate_X(X)))

    def predict_proba_matrix(self, matrix) -> np.ndarray:
        """Probabilities from an already computed feature matrix (see Tagger)."""
        return self.classifier_.predict_proba(matrix)


class RoleClassifier(_SingleLabelClassifier):
    """problem / measure / statement for each unit."""

    def __init__(self, C: float = 8.0, class_weight: str | None = "balanced", random_state: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X, y):
        records = _validate_X(X)
        y = np.asarray(y)
        _check_lengths(records, y, "labels")
        unknown = sorted(set(y) - set(ROLES))
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; expected one of {list(ROLES)}")
        self._fit(records, y)
        self.classes_ = self.classifier_.classes_
        return self

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class GenericClassifier(_SingleLabelClassifier):
    """generic (true) versus specific (false) — the transplant test of taxonomy.md §4."""

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced", random_state: int = 0,
                 threshold: float = 0.5):
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y):
        records = _validate_X(X)
        y = np.asarray(y, dtype=bool)
        _check_lengths(records, y, "labels")
        if len(set(y.tolist())) < 2:
            raise ValueError("generic labels must contain both true and false")
        self._fit(records, y)
        self.classes_ = np.array([False, True])
        return self

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X)[:, 1] >= self.threshold


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Eleven themes, multi-label: one logistic regression per theme, thresholds tuned by CV.

    `y` is a sequence of theme-id lists (or a binary matrix with columns in THEMES order).
    `predict` returns the binary matrix; `predict_themes` the tuples of theme ids.
    """

    def __init__(self, C: float = 8.0, class_weight: str | None = "balanced", cv: int = 3,
                 cv_repeats: int = 2, random_state: int = 0, pool_clauses: bool = True):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.cv_repeats = cv_repeats
        self.random_state = random_state
        self.pool_clauses = pool_clauses

    def fit(self, X, y):
        records = _validate_X(X)
        Y = theme_matrix(y)
        _check_lengths(records, Y, "label sets")
        for name, value, least in (("cv", self.cv, 2), ("cv_repeats", self.cv_repeats, 1)):
            if not isinstance(value, numbers.Integral) or value < least:
                raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")
        self.classes_ = np.array(THEMES)
        self.thresholds_ = self._tune_thresholds(records, Y)
        self.features_ = build_features().fit(records)
        matrix = self.features_.transform(records)
        self.estimators_ = [self._label_model().fit(matrix, Y[:, k]) if 0 < Y[:, k].sum() < len(Y) else None
                            for k in range(len(THEMES))]
        return self

    def _label_model(self) -> LogisticRegression:
        return _logistic(self.C, self.class_weight, self.random_state)

    def _tune_thresholds(self, records: list, Y: np.ndarray) -> np.ndarray:
        """Per label, the probability cut-off that maximises F1 on held-out folds.

        The k-fold split is repeated with different shuffles and the F1 of a cut-off is taken over all
        repeats together: one split's thresholds move the real-text figures by a few points.
        """
        scores = np.zeros((self.cv_repeats,) + Y.shape, dtype=float)
        folds = RepeatedKFold(n_splits=self.cv, n_repeats=self.cv_repeats, random_state=self.random_state)
        for number, (train, held_out) in enumerate(folds.split(records)):
            repeat = number // self.cv  # RepeatedKFold yields the folds of one repeat after another
            features = build_features().fit([records[i] for i in train])
            train_matrix = features.transform([records[i] for i in train])
            held, owners = self._expand([records[i] for i in held_out])
            held_matrix = features.transform(held)
            for k in range(Y.shape[1]):
                if 0 < Y[train, k].sum() < len(train):
                    model = self._label_model().fit(train_matrix, Y[train, k])
                    scores[repeat, held_out, k] = _pool(model.predict_proba(held_matrix)[:, 1], owners, len(held_out))
        gold = np.tile(Y, (self.cv_repeats, 1))
        scores = scores.reshape(-1, Y.shape[1])
        grid = np.arange(0.15, 0.86, 0.05)
        return np.array([max(grid, key=lambda t: (f1_score(gold[:, k], scores[:, k] >= t, zero_division=0), -abs(t - 0.5)))
                         for k in range(Y.shape[1])])

    def _expand(self, records: list) -> tuple[list, np.ndarray]:
        if self.pool_clauses:
            return with_clauses(records)
        return records, np.arange(len(records))

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        records = _validate_X(X)
        expanded, owners = self._expand(records)
        return self.predict_proba_matrix(self.features_.transform(expanded), owners, len(records))

    def predict_proba_matrix(self, matrix, owners: np.ndarray | None = None, n_units: int | None = None) -> np.ndarray:
        """Per-theme probabilities; with `owners`, rows of one unit (whole + clauses) are max-pooled."""
        columns = [np.zeros(matrix.shape[0]) if model is None else model.predict_proba(matrix)[:, 1]
                   for model in self.estimators_]
        proba = np.column_stack(columns)
        if owners is None:
            return proba
        return _pool(proba, owners, n_units)

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def predict_themes(self, X) -> list[tuple[str, ...]]:
        return [tuple(THEMES[k] for k in np.flatnonzero(row)) for row in self.predict(X)]


def _pool(proba: np.ndarray, owners: np.ndarray, n_units: int) -> np.ndarray:
    """Maximum over the rows that belong to each unit (the unit itself and its clauses)."""
    pooled = np.zeros((n_units,) + proba.shape[1:])
    np.maximum.at(pooled, owners, proba)
    return pooled


def theme_matrix(y) -> np.ndarray:
    """Theme-id lists → binary matrix with columns in THEMES order (a matrix passes through)."""
    if isinstance(y, np.ndarray) and y.ndim == 2:
        if y.shape[1] != len(THEMES):
            raise ValueError(f"theme matrix must have {len(THEMES)} columns, got {y.shape[1]}")
        return y.astype(int)
    rows = list(y)
    matrix = np.zeros((len(rows), len(THEMES)), dtype=int)
    for i, themes in enumerate(rows):
        for theme in themes:
            if theme not in THEMES:
                raise ValueError(f"unknown theme '{theme}' in y[{i}]; expected one of {list(THEMES)}")
            matrix[i, THEMES.index(theme)] = 1
    return matrix


class Tagger:
    """The three classifiers together: units in, `Prediction`s out."""

    def __init__(self, role: RoleClassifier, themes: ThemeClassifier, generic: GenericClassifier,
                 card: dict | None = None):
        self.role = role
        self.themes = themes
        self.generic = generic
        self.card = card or {}
        self._shared = _same_features(role, themes, generic)

    @classmethod
    def fit(cls, records: Sequence, roles, themes, generic, *, random_state: int = 0) -> "Tagger":
        return cls(RoleClassifier(random_state=random_state).fit(records, roles),
                   ThemeClassifier(random_state=random_state).fit(records, themes),
                   GenericClassifier(random_state=random_state).fit(records, generic))

    def predict(self, records: Sequence) -> list[Prediction]:
        records = as_records(list(records))
        if not records:
            return []
        if self._shared:  # one feature matrix serves all three classifiers
            expanded, owners = self.themes._expand(records)
            matrix = self.role.features_.transform(expanded)
            whole = matrix[:len(records)]  # the units themselves come first, their clauses after
            role_proba = self.role.predict_proba_matrix(whole)
            theme_proba = self.themes.predict_proba_matrix(matrix, owners, len(records))
            generic_proba = self.generic.predict_proba_matrix(whole)[:, 1]
        else:
            role_proba = self.role.predict_proba(records)
            theme_proba = self.themes.predict_proba(records)
            generic_proba = self.generic.predict_proba(records)[:, 1]
        _share_lead_in_labels(records, role_proba, theme_proba, generic_proba)
        predictions = []
        for i in range(len(records)):
            role_scores = {str(c): round(float(p), 4) for c, p in zip(self.role.classes_, role_proba[i])}
            theme_scores = {t: round(float(p), 4) for t, p in zip(THEMES, theme_proba[i])}
            chosen = tuple(t for t, p, cut in zip(THEMES, theme_proba[i], self.themes.thresholds_) if p >= cut)
            predictions.append(Prediction(
                role=max(role_scores, key=role_scores.get), themes=chosen,
                generic=bool(generic_proba[i] >= self.generic.threshold),
                role_scores=role_scores, theme_scores=theme_scores,
                generic_score=round(float(generic_proba[i]), 4)))
        return predictions


LEAD_IN_MAX_CHARS = 20


def _is_lead_in(record) -> bool:
    """A short enumerated sentence ('二是严审公开内容。') that announces what the next unit explains."""
    text = clean_text(str(record.get("text") or ""))
    return len(text) <= LEAD_IN_MAX_CHARS and text.endswith(("。", "：", ":")) and starts_item(text)


def _share_lead_in_labels(records, role_proba, theme_proba, generic_proba) -> None:
    """taxonomy.md §1: a lead-in ('二是严审公开内容。') carries the labels of the explanation after it.

    When the next unit stands under the same heading and is not itself a lead-in, the lead-in gets
    the mean of both role probabilities, the larger of each theme probability and the explanation's
    generic score (the explanation holds the concrete content). Arrays change in place.
    """
    for i in range(len(records) - 1):
        lead, explanation = records[i], records[i + 1]
        same_place = all(lead.get(k) == explanation.get(k) for k in ("section", "heading"))
        if not (same_place and _is_lead_in(lead) and not _is_lead_in(explanation)):
            continue
        role_proba[i] = (role_proba[i] + role_proba[i + 1]) / 2
        theme_proba[i] = np.maximum(theme_proba[i], theme_proba[i + 1])
        generic_proba[i] = generic_proba[i + 1]


def _same_features(*estimators) -> bool:
    """True when the classifiers' fitted feature extractors are interchangeable (same vocabularies and
    weights), as they are when fitted on the same records, and trivially after loading a saved model."""
    unions = [estimator.features_ for estimator in estimators]
    if all(union is unions[0] for union in unions):
        return True

    def fitted(union):
        return [step.steps[-1][1] for _, step in union.transformer_list]

    def same(a, b) -> bool:
        return a.vocabulary_ == b.vocabulary_ and np.array_equal(getattr(a, "idf_", []), getattr(b, "idf_", []))

    first = fitted(unions[0])
    return all(all(same(a, b) for a, b in zip(first, fitted(union))) for union in unions[1:])


# ---------------------------------------------------------------- model folders

def library_versions() -> dict[str, str]:
    import jieba
    import joblib
    import sklearn

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": np.__version__, "joblib": joblib.__version__, "jieba": jieba.__version__}


def save(tagger: Tagger, out_dir: str | Path, card: dict, *, extra_files: dict[str, bytes] | None = None) -> Path:
    """Write the tagger atomically: a temporary folder beside `out_dir`, fsynced, then renamed.

    A good model already at `out_dir` is replaced only once the new one is complete.
    `extra_files` (name → bytes) are written beside the models and hashed in the card too.
    """
    import joblib

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a model folder is meant to be shared
    try:
        joblib.dump(_sharing_features(tagger), staging / MODEL_FILE, compress=3)
        for name, content in (extra_files or {}).items():
            (staging / name).write_bytes(content)
        names = (MODEL_FILE, *(extra_files or {}))
        full_card = dict(card)
        full_card.update({
            "taxonomy_version": TAXONOMY_VERSION,
            "model_format": MODEL_FORMAT,
            "libraries": library_versions(),
            "files": {name: sha256_file(staging / name) for name in names},
        })
        full_card.setdefault("trained_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        (staging / CARD).write_text(json.dumps(full_card, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")
        for name in (*names, CARD):
            _fsync(staging / name)
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _replace_dir(staging: Path, target: Path) -> None:
    if target.exists():
        retired = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, target)


def _sharing_features(tagger: Tagger) -> tuple:
    """(role, themes, generic) for saving; when their feature extractors are interchangeable, shallow
    copies that all reference the role classifier's, so that the file holds (and loading builds) one."""
    estimators = (tagger.role, tagger.themes, tagger.generic)
    if not tagger._shared:
        return estimators
    copies = tuple(copy.copy(estimator) for estimator in estimators)
    for estimator in copies:
        estimator.features_ = tagger.role.features_
    return copies


def load(model_dir: str | Path | None = None) -> Tagger:
    """Load a verified model folder (default: the bundled models/default)."""
    import joblib

    model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
    card = verify(model_dir)
    path = model_dir / MODEL_FILE
    try:
        estimators = joblib.load(path)
    except Exception as error:  # a library version that cannot read the file
        raise ModelError(f"cannot load model file with the installed libraries "
                         f"({type(error).__name__}: {error}); trained with {card.get('libraries')}",
                         path=str(path)) from None
    expected = (RoleClassifier, ThemeClassifier, GenericClassifier)
    if not (isinstance(estimators, tuple) and len(estimators) == len(expected)
            and all(isinstance(e, t) for e, t in zip(estimators, expected))):
        found = [type(e).__name__ for e in estimators] if isinstance(estimators, tuple) else type(estimators).__name__
        raise ModelError(f"expected (RoleClassifier, ThemeClassifier, GenericClassifier), found {found}",
                         path=str(path))
    return Tagger(*estimators, card=card)
