"""Train, cross-validate and evaluate the unit classifiers; the metrics tables users read.

`train` runs k-fold cross-validation (stratified over themes, roles and generic), reports the
pooled out-of-fold metrics, then fits on the whole corpus and saves a model folder whose card
holds those metrics. `evaluate` scores a saved model on a labelled file the model never saw.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from . import corpus as corpus_mod
from . import models
from .card import DEFAULT_MODEL_DIR, read_card
from .corpus import LabelledUnit
from .errors import CorpusError
from .models import ROLES, THEMES, Tagger, theme_matrix

Progress = Callable[[str], None]
MIN_THEME_SUPPORT = 5  # themes rarer than this in the gold data are left out of the macro average


def _quiet(_: str) -> None:
    pass


def metrics(gold: Sequence[LabelledUnit], predicted_roles, predicted_themes, predicted_generic) -> dict:
    """Role accuracy and per-class P/R/F1, per-theme P/R/F1 with micro/macro F1, generic P/R/F1."""
    gold_roles = [u.role for u in gold]
    p, r, f, s = precision_recall_fscore_support(gold_roles, predicted_roles, labels=list(ROLES), zero_division=0)
    role = {"accuracy": _round(accuracy_score(gold_roles, predicted_roles)),
            "per_class": {c: _prf(p[i], r[i], f[i], s[i]) for i, c in enumerate(ROLES)}}
    Y, P = theme_matrix([u.themes for u in gold]), theme_matrix(predicted_themes)
    p, r, f, s = precision_recall_fscore_support(Y, P, zero_division=0)
    kept = [k for k in range(len(THEMES)) if s[k] >= MIN_THEME_SUPPORT]
    mp, mr, mf, _ = precision_recall_fscore_support(Y, P, average="micro", zero_division=0)
    themes = {"per_label": {t: _prf(p[k], r[k], f[k], s[k]) for k, t in enumerate(THEMES)},
              "micro": {"precision": _round(mp), "recall": _round(mr), "f1": _round(mf)},
              "macro_f1": _round(float(np.mean(f[kept]))) if kept else 0.0,
              "macro_over": [THEMES[k] for k in kept]}
    gold_generic = [u.generic for u in gold]
    gp, gr, gf, _ = precision_recall_fscore_support(gold_generic, list(map(bool, predicted_generic)),
                                                     average="binary", pos_label=True, zero_division=0)
    generic = {**_prf(gp, gr, gf, sum(gold_generic)),
               "accuracy": _round(accuracy_score(gold_generic, list(map(bool, predicted_generic))))}
    return {"n": len(gold), "role": role, "themes": themes, "generic": generic}


def _round(x) -> float:
    return round(float(x), 4)


def _prf(p, r, f, s) -> dict:
    return {"precision": _round(p), "recall": _round(r), "f1": _round(f), "support": int(s)}


def predict_units(tagger: Tagger, units: Sequence[LabelledUnit]):
    predictions = tagger.predict([u.record() for u in units])
    return ([p.role for p in predictions], [p.themes for p in predictions], [p.generic for p in predictions])


def cross_validate(units: Sequence[LabelledUnit], *, folds: int = 5, random_state: int = 0, jobs: int = 1,
                   progress: Progress = _quiet) -> dict:
    """Pooled out-of-fold metrics over stratified folds (folds run in `jobs` processes)."""
    from joblib import Parallel, delayed

    splits = corpus_mod.stratified_folds(units, folds, random_state)
    roles = [""] * len(units)
    themes: list[tuple[str, ...]] = [()] * len(units)
    generic = [False] * len(units)
    tasks = (delayed(_fold)([units[i] for i in train], [units[i] for i in test], random_state)
             for train, test in splits)
    outputs = Parallel(n_jobs=max(1, min(jobs, folds)), return_as="generator")(tasks)
    for number, ((train, test), (fold_roles, fold_themes, fold_generic, seconds)) in enumerate(zip(splits, outputs), 1):
        for j, i in enumerate(test):
            roles[i], themes[i], generic[i] = fold_roles[j], fold_themes[j], fold_generic[j]
        progress(f"fold {number}/{folds}: {len(train)} train, {len(test)} held out, {seconds:.1f}s")
    result = metrics(units, roles, themes, generic)
    result["folds"] = folds
    return result


def _fold(train: list[LabelledUnit], test: list[LabelledUnit], random_state: int):
    started = time.monotonic()
    predictions = predict_units(fit(train, random_state=random_state), test)
    return (*predictions, time.monotonic() - started)


def fit(units: Sequence[LabelledUnit], *, random_state: int = 0) -> Tagger:
    if len(units) < 20:
        raise CorpusError([f"only {len(units)} labelled units; at least 20 are needed to train"])
    return Tagger.fit([u.record() for u in units], [u.role for u in units], [u.themes for u in units],
                      [u.generic for u in units], random_state=random_state)


def train(corpus_paths: Sequence[str | Path], out_dir: str | Path, *, folds: int = 5, random_state: int = 0,
          jobs: int = 2, progress: Progress = _quiet) -> dict:
    """Cross-validate, fit on everything, save atomically; return the model card."""
    units = corpus_mod.deduplicate(corpus_mod.load(corpus_paths))
    progress(f"loaded {len(units)} units from {len(corpus_mod.corpus_files(corpus_paths))} file(s)")
    cv = (cross_validate(units, folds=folds, random_state=random_state, jobs=jobs, progress=progress)
          if folds > 1 else None)
    progress("fitting on all units")
    tagger = fit(units, random_state=random_state)
    card = {
        "corpus_sha256": corpus_mod.corpus_hash(corpus_paths),
        "corpus_files": [p.name for p in corpus_mod.corpus_files(corpus_paths)],
        "training_units": len(units),
        "random_state": random_state,
        "cv_metrics": cv,
        "statistics": corpus_mod.statistics(units),
    }
    from . import overlap

    models.save(tagger, out_dir, card, extra_files={overlap.FINGERPRINTS: overlap.fingerprint_bytes(units)})
    return read_card(out_dir)


def evaluate(corpus_paths: Sequence[str | Path], model_dir: str | Path | None = None, *,
             allow_overlap: bool = False) -> dict:
    """Metrics of a saved model on labelled units it was not trained on."""
    from . import overlap

    units = corpus_mod.load(corpus_paths)
    tagger = models.load(model_dir)
    if not allow_overlap:
        overlap.refuse_overlap(units, Path(model_dir) if model_dir else DEFAULT_MODEL_DIR)
    result = metrics(units, *predict_units(tagger, units))
    result["model"] = str(model_dir or DEFAULT_MODEL_DIR)
    return result


def format_table(result: dict) -> str:
    """The per-label precision/recall/F1 table printed by `train` and `evaluate`."""
    lines = [f"units: {result['n']}", "", f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]

    def row(name, m):
        lines.append(f"{name:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>10d}")

    lines.append("-- role")
    for name, m in result["role"]["per_class"].items():
        row(name, m)
    lines.append("-- themes")
    for name, m in result["themes"]["per_label"].items():
        row(name, m)
    lines.append("-- generic")
    row("generic", result["generic"])
    t = result["themes"]
    lines += ["", f"role accuracy      {result['role']['accuracy']:.3f}",
              f"theme micro-F1     {t['micro']['f1']:.3f}",
              f"theme macro-F1     {t['macro_f1']:.3f}  (over themes with ≥{MIN_THEME_SUPPORT} gold units)",
              f"generic F1         {result['generic']['f1']:.3f}"]
    return "\n".join(lines)
