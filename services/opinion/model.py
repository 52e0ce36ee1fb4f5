"""Statistical negative-opinion model: TF-IDF character n-grams, logistic regressions blended.

One vectoriser feeds every learner ("head"); their negative probabilities are averaged:

- a general binary logistic regression on NB-weighted features (each n-gram scaled by its
  log-count ratio, NBSVM-style) and a general three-way (negative / neutral / positive) one on
  the plain features;
- when the training rows come from two or more sources ("domains": headlines, long news, Weibo,
  a stock forum), per-domain experts of the same two kinds, mixed by a domain head that guesses
  from the text alone which source a text reads like. The source is a training label only; a
  text is never asked where it came from. The same word reads differently in a forum and a
  headline (跌 is a loss to a shareholder, news to an editor), which one linear model cannot say.

Every head is linear, so all of them are folded into one weight matrix (NB ratios included) and
scoring a batch is one sparse product. Rows carry an optional three-way label (neutral unless
negative when absent) and an optional domain (rows without one train only the general heads).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from services.opinion.normalize import normalize

FORMAT = "officebot-opinion-model/3"
FORMATS = ("officebot-opinion-model/1", "officebot-opinion-model/2", FORMAT)
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
    domain_experts: bool = True
    domain_min_rows: int = 200  # a source with fewer rows (or one class only) gets no expert


@dataclass(frozen=True)
class Head:
    """Where one learner's columns sit in the folded weights and how to read them.

    kind is "general", "expert" (domain names its source, member 0 the NB-weighted binary
    learner, 1 the three-way one) or "domain" (the source guesser, classes its sources in column
    order). A learner head of one column is binary with its sigmoid the negative probability;
    a wider one is a softmax whose column neg is the negative class.
    """

    kind: str
    lo: int
    hi: int
    neg: int | None = None
    domain: str | None = None
    member: int = 0
    classes: tuple[str, ...] = ()


@dataclass
class Model:
    """A fitted vectoriser and the folded heads, with the threshold they were tuned for."""

    vectorizer: TfidfVectorizer
    weights: np.ndarray  # features x columns, float32, NB ratios folded in
    bias: np.ndarray
    heads: list[Head]
    params: ModelParams = field(default_factory=ModelParams)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        """Return the score above which the model calls a text negative."""
        return self.params.threshold

    @property
    def domains(self) -> list[str]:
        """Return the sources the experts were trained for (empty without experts)."""
        guess = next((h for h in self.heads if h.kind == "domain"), None)
        return list(guess.classes) if guess is not None else []

    def predict_proba(self, texts: Sequence[str], batch: int = BATCH,
                      normalized: bool = False) -> list[float]:
        """Return the probability that each text is negative, scoring in batches."""
        out: list[float] = []
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            if not normalized:
                chunk = [normalize(t) for t in chunk]
            scores = np.asarray(self.vectorizer.transform(chunk) @ self.weights) + self.bias
            out.extend(self._blend(scores).tolist())
        return out

    def _blend(self, scores: np.ndarray) -> np.ndarray:
        members = [_neg_prob(scores, h) for h in self.heads if h.kind == "general"]
        guess = next((h for h in self.heads if h.kind == "domain"), None)
        if guess is not None:
            mix = _class_probs(scores, guess)
            for member in (0, 1):
                experts = {h.domain: h for h in self.heads
                           if h.kind == "expert" and h.member == member}
                if experts:
                    members.append(sum(mix[:, i] * _neg_prob(scores, experts[name])
                                       for i, name in enumerate(guess.classes)))
        return np.mean(members, axis=0)  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        """Write the model to path with joblib (a trusted, locally made file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "vectorizer": self.vectorizer, "weights": self.weights,
                     "bias": self.bias, "heads": [h.__dict__ for h in self.heads],
                     "params": self.params, "meta": self.meta}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> Model:
        """Read a model written by save (only load files this project made).

        Files of the first two formats (one LR; NB-weighted LR plus three-way LR, kept as
        scikit-learn objects) are folded on load and score exactly as before.
        """
        blob = joblib.load(path)
        if not isinstance(blob, dict) or blob.get("format") not in FORMATS:
            raise ValueError(f"{path} is not an opinion model ({FORMAT})")
        if blob["format"] == FORMAT:
            return cls(blob["vectorizer"], blob["weights"], blob["bias"],
                       [Head(**h) for h in blob["heads"]], blob["params"], blob.get("meta", {}))
        folded = _Folder()
        folded.add("general", blob["classifier"], blob.get("ratio"))
        if blob.get("classifier3") is not None:
            folded.add("general", blob["classifier3"], neg_label=NEG3, member=1)
        return folded.model(blob["vectorizer"], blob["params"], blob.get("meta", {}))


def _class_probs(scores: np.ndarray, head: Head) -> np.ndarray:
    """Return a head's class probabilities (two columns for a binary head)."""
    z = scores[:, head.lo:head.hi]
    if head.hi - head.lo == 1:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.column_stack([1.0 - p, p])
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _neg_prob(scores: np.ndarray, head: Head) -> np.ndarray:
    """Return a learner head's negative probability."""
    if head.hi - head.lo == 1:
        return 1.0 / (1.0 + np.exp(-scores[:, head.lo]))  # type: ignore[no-any-return]
    return _class_probs(scores, head)[:, head.neg]


class _Folder:
    """Collect fitted linear learners into one weight matrix."""

    def __init__(self) -> None:
        self.columns: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.heads: list[Head] = []
        self.width = 0

    def add(self, kind: str, clf: LogisticRegression, ratio: np.ndarray | None = None,
            neg_label: int = 1, domain: str | None = None, member: int = 0) -> None:
        """Fold a fitted learner in; neg_label is its negative class (unused for "domain")."""
        coef = clf.coef_.T.astype(np.float32)
        bias = clf.intercept_.astype(np.float32)
        if ratio is not None:
            coef = coef * ratio[:, None]  # x·ratio·w = x·(ratio·w): fold the NB weighting in
        classes = list(clf.classes_)
        neg = None
        if kind != "domain":
            if coef.shape[1] == 1 and classes[1] != neg_label:
                coef, bias = -coef, -bias  # a binary head's sigmoid is always P(negative)
            elif coef.shape[1] > 1:
                neg = classes.index(neg_label)
        self.columns.append(coef)
        self.biases.append(bias)
        self.heads.append(Head(kind, self.width, self.width + coef.shape[1], neg, domain,
                               member, tuple(str(c) for c in classes) if kind == "domain"
                               else ()))
        self.width += coef.shape[1]

    def model(self, vectorizer: TfidfVectorizer, params: ModelParams,
              meta: dict[str, Any]) -> Model:
        return Model(vectorizer, np.ascontiguousarray(np.hstack(self.columns)),
                     np.concatenate(self.biases), self.heads, params, meta)


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


def _fit_pair(folder: _Folder, kind: str, feats: Any, y: np.ndarray, y3: np.ndarray,
              params: ModelParams, domain: str | None = None) -> None:
    """Fit the binary learner and the three-way one (binary where the rows know no y3)."""
    ratio = _log_count_ratio(feats, y) if params.nb_weighting else None
    clf = LogisticRegression(C=params.nb_c if ratio is not None else params.c,
                             class_weight=params.class_weight, max_iter=3000)
    folder.add(kind, clf.fit(_weighted(feats, ratio), y), ratio, domain=domain)
    if params.three_class:
        clf3 = LogisticRegression(C=params.c, class_weight=params.class_weight, max_iter=3000)
        folder.add(kind, clf3.fit(feats, y3), neg_label=NEG3, domain=domain, member=1)


def train(rows: Iterable[tuple[Any, ...]], params: ModelParams | None = None) -> Model:
    """Fit a model on (text, neg[, y3[, domain]]) rows; texts are normalised first.

    y3 is 0 negative, 1 neutral, 2 positive; a row without it (or None) is neutral unless neg.
    domain names the row's source (a file); with two or more sources big enough to learn from,
    each gets its experts and the model learns to tell them apart from the text.
    """
    params = params or ModelParams()
    texts: list[str] = []
    labels: list[int] = []
    labels3: list[int] = []
    sources: list[str | None] = []
    for row in rows:
        text, neg = row[0], 1 if int(row[1]) else 0
        y3 = row[2] if len(row) > 2 and row[2] is not None else None
        norm = normalize(str(text))
        if norm:
            texts.append(norm)
            labels.append(neg)
            labels3.append(_three_way(neg, None if y3 is None else int(y3)))
            sources.append(str(row[3]) if len(row) > 3 and row[3] is not None else None)
    if len(set(labels)) < 2:
        raise ValueError("training needs both negative and non-negative rows")
    vec = TfidfVectorizer(analyzer="char", ngram_range=(params.ngram_min, params.ngram_max),
                          min_df=min(params.min_df, max(1, len(texts) // 10)),
                          max_features=params.max_features, sublinear_tf=True,
                          dtype=np.float32)
    feats = vec.fit_transform(texts).tocsr()
    y, y3 = np.asarray(labels), np.asarray(labels3)
    folder = _Folder()
    _fit_pair(folder, "general", feats, y, y3, params)
    domains = _learnable_domains(sources, labels, params) if params.domain_experts else []
    if len(domains) < 2:
        domains = []  # one source: its experts would only repeat the general learners
    else:
        where = np.asarray([s if s in domains else "" for s in sources])
        known = where != ""
        guess = LogisticRegression(C=params.c, max_iter=3000)
        guess.fit(feats[known], where[known])
        folder.add("domain", guess)
        order = [str(c) for c in guess.classes_]
        for name in order:
            rows_of = where == name
            _fit_pair(folder, "expert", feats[rows_of], y[rows_of], y3[rows_of], params,
                      domain=name)
        domains = order
    meta = {"trained": len(texts), "negatives": int(sum(labels)),
            "features": len(vec.vocabulary_), "domains": domains}
    return folder.model(vec, params, meta)


def _learnable_domains(sources: list[str | None], labels: list[int],
                       params: ModelParams) -> list[str]:
    """Return the sources with enough rows of both classes to train an expert on."""
    rows = Counter(s for s in sources if s is not None)
    negs = Counter(s for s, n in zip(sources, labels, strict=True) if s is not None and n)
    return sorted(s for s, count in rows.items()
                  if count >= params.domain_min_rows and 0 < negs[s] < count)


def save(model: Model, path: Path) -> None:
    """Write model to path."""
    model.save(path)


def load(path: Path) -> Model:
    """Read a model from path."""
    return Model.load(path)
