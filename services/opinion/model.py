"""Statistical negative-opinion model: TF-IDF character n-grams with logistic regression."""

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

FORMAT = "officebot-opinion-model/1"
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


@dataclass
class Model:
    """A fitted vectoriser and classifier with the decision threshold they were tuned for."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    params: ModelParams = field(default_factory=ModelParams)
    meta: dict[str, Any] = field(default_factory=dict)

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
            out.extend(self.classifier.predict_proba(feats)[:, 1].tolist())
        return out

    def save(self, path: Path) -> None:
        """Write the model to path with joblib (a trusted, locally made file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "vectorizer": self.vectorizer,
                     "classifier": self.classifier, "params": self.params,
                     "meta": self.meta}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> Model:
        """Read a model written by save (only load files this project made)."""
        blob = joblib.load(path)
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise ValueError(f"{path} is not an opinion model ({FORMAT})")
        return cls(blob["vectorizer"], blob["classifier"], blob["params"], blob.get("meta", {}))


def train(rows: Iterable[tuple[str, int]], params: ModelParams | None = None) -> Model:
    """Fit a model on (text, neg) rows; texts are normalised first."""
    params = params or ModelParams()
    texts: list[str] = []
    labels: list[int] = []
    for text, neg in rows:
        norm = normalize(str(text))
        if norm:
            texts.append(norm)
            labels.append(1 if int(neg) else 0)
    if len(set(labels)) < 2:
        raise ValueError("training needs both negative and non-negative rows")
    vec = TfidfVectorizer(analyzer="char", ngram_range=(params.ngram_min, params.ngram_max),
                          min_df=min(params.min_df, max(1, len(texts) // 10)),
                          max_features=params.max_features, sublinear_tf=True,
                          dtype=np.float32)
    feats = vec.fit_transform(texts)
    clf = LogisticRegression(C=params.c, class_weight=params.class_weight, max_iter=3000)
    clf.fit(feats, labels)
    meta = {"trained": len(texts), "negatives": int(sum(labels)),
            "features": len(vec.vocabulary_)}
    return Model(vec, clf, params, meta)


def save(model: Model, path: Path) -> None:
    """Write model to path."""
    model.save(path)


def load(path: Path) -> Model:
    """Read a model from path."""
    return Model.load(path)
