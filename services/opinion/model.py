"""Statistical negative-opinion model: TF-IDF character n-grams, two logistic regressions blended.

One vectoriser feeds two learners whose negative probabilities are averaged: a binary logistic
regression on NB-weighted features (each n-gram scaled by its log-count ratio, NBSVM-style) and a
three-way (negative / neutral / positive) logistic regression on the plain features. Rows carry
an optional three-way label; rows without one count as neutral when not negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from services.opinion.normalize import normalize

FORMAT = "officebot-opinion-model/2"
FORMATS = ("officebot-opinion-model/1", FORMAT)
NEG3, NEUTRAL3, POS3 = 0, 1, 2
BATCH = 2048


@dataclass(frozen=True)
class ModelParams:
    """Feature and learner settings; the defaults are the benchmarked ones."""

    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 2
    max_features: int | None = 500_000
    c: float = 10.0
    class_weight: str | None = "balanced"
    threshold: float = 0.5
    nb_weighting: bool = True
    nb_c: float = 30.0
    three_class: bool = True


@dataclass
class Model:
    """A fitted vectoriser and classifiers with the decision threshold they were tuned for.

    classifier is binary (negative = class 1) and sees features scaled by ratio when ratio is
    set; classifier3, when set, is three-way (negative = class 0) on the plain features, and the
    two negative probabilities are averaged.
    """

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    params: ModelParams = field(default_factory=ModelParams)
    meta: dict[str, Any] = field(default_factory=dict)
    ratio: np.ndarray | None = None
    classifier3: LogisticRegression | None = None

    @property
    def threshold(self) -> float:
        """Return the score above which the model calls a text negative."""
        return self.params.threshold

    def predict_proba(self, texts: Sequence[str], batch: int = BATCH,
                      normalized: bool = False) -> list[float]:
        """Return the probability that each text is negative, scoring in batches."""
        out: list[float] = []
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            if not normalized:
                chunk = [normalize(t) for t in chunk]
            feats = self.vectorizer.transform(chunk)
            probs = self.classifier.predict_proba(_weighted(feats, self.ratio))[:, 1]
            if self.classifier3 is not None:
                col = list(self.classifier3.classes_).index(NEG3)
                probs = (probs + self.classifier3.predict_proba(feats)[:, col]) / 2
            out.extend(probs.tolist())
        return out

    def save(self, path: Path) -> None:
        """Write the model to path with joblib (a trusted, locally made file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "vectorizer": self.vectorizer,
                     "classifier": self.classifier, "params": self.params,
                     "meta": self.meta, "ratio": self.ratio,
                     "classifier3": self.classifier3}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> Model:
        """Read a model written by save (only load files this project made)."""
        blob = joblib.load(path)
        if not isinstance(blob, dict) or blob.get("format") not in FORMATS:
            raise ValueError(f"{path} is not an opinion model ({FORMAT})")
        return cls(blob["vectorizer"], blob["classifier"], blob["params"], blob.get("meta", {}),
                   blob.get("ratio"), blob.get("classifier3"))


def _weighted(feats: Any, ratio: np.ndarray | None) -> Any:
    """Return sparse feats with each column scaled by ratio (unchanged when ratio is None)."""
    if ratio is None:
        return feats
    out = feats.tocsr(copy=True)
    out.data *= ratio[out.indices]
    return out


def _log_count_ratio(feats: Any, labels: np.ndarray) -> np.ndarray:
    """Return log((p / |p|) / (q / |q|)) of n-gram presence in negative vs other rows."""
    present = (feats > 0).astype(np.float32)
    pos = np.asarray(present[labels == 1].sum(axis=0)).ravel() + 1.0
    neg = np.asarray(present[labels == 0].sum(axis=0)).ravel() + 1.0
    return np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)


def _three_way(neg: int, y3: int | None) -> int:
    """Return the three-way label for a row, consistent with its binary label."""
    if neg:
        return NEG3
    return y3 if y3 in (NEUTRAL3, POS3) else NEUTRAL3


def train(rows: Iterable[tuple[Any, ...]], params: ModelParams | None = None) -> Model:
    """Fit a model on (text, neg) or (text, neg, y3) rows; texts are normalised first.

    y3 is 0 negative, 1 neutral, 2 positive; a row without it (or None) is neutral unless neg.
    """
    params = params or ModelParams()
    texts: list[str] = []
    labels: list[int] = []
    labels3: list[int] = []
    for row in rows:
        text, neg = row[0], 1 if int(row[1]) else 0
        y3 = row[2] if len(row) > 2 and row[2] is not None else None
        norm = normalize(str(text))
        if norm:
            texts.append(norm)
            labels.append(neg)
            labels3.append(_three_way(neg, None if y3 is None else int(y3)))
    if len(set(labels)) < 2:
        raise ValueError("training needs both negative and non-negative rows")
    vec = TfidfVectorizer(analyzer="char", ngram_range=(params.ngram_min, params.ngram_max),
                          min_df=min(params.min_df, max(1, len(texts) // 10)),
                          max_features=params.max_features, sublinear_tf=True,
                          dtype=np.float32)
    feats = vec.fit_transform(texts)
    y = np.asarray(labels)
    ratio = _log_count_ratio(feats, y) if params.nb_weighting else None
    clf = LogisticRegression(C=params.nb_c if ratio is not None else params.c,
                             class_weight=params.class_weight, max_iter=3000)
    clf.fit(_weighted(feats, ratio), y)
    clf3 = None
    if params.three_class:
        clf3 = LogisticRegression(C=params.c, class_weight=params.class_weight, max_iter=3000)
        clf3.fit(feats, np.asarray(labels3))
    meta = {"trained": len(texts), "negatives": int(sum(labels)),
            "features": len(vec.vocabulary_)}
    return Model(vec, clf, params, meta, ratio, clf3)


def save(model: Model, path: Path) -> None:
    """Write model to path."""
    model.save(path)


def load(path: Path) -> Model:
    """Read a model from path."""
    return Model.load(path)
