"""Combine the domain rules and the statistical model into opinion verdicts."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from services.opinion.normalize import normalize
from services.opinion.rules import RuleResult, Rules, default_rules

if TYPE_CHECKING:
    # scikit-learn weighs about 100 MB and most of a second: a replica imports it only when
    # a model is loaded or trained (services.opinion.model).
    from services.opinion.model import Model, ModelParams

Level = Literal["red", "orange", "yellow"]
Sentiment = Literal["negative", "neutral", "positive"]
RULE_SCORE = 0.95
HOLDOUT_SEED = 20240601


@dataclass
class Verdict:
    """The outcome for one text: negative flag, score, risk level, sentiment and reasons."""

    neg: int
    score: float
    level: Level | None
    sentiment: Sentiment
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the verdict as a JSON-ready dict."""
        return asdict(self)


class Classifier:
    """Classify texts with the rules and, when a model file is given, the model."""

    def __init__(self, model_path: Path | None = None, rules: Rules | None = None,
                 model: Model | None = None) -> None:
        """Load the model from model_path (if any) and the packaged rules (unless given)."""
        self.rules = rules or default_rules()
        if model is None and model_path is not None:
            from services.opinion.model import Model

            model = Model.load(Path(model_path))
        self.model = model

    def classify(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one verdict per text, scoring the model in batches."""
        norm = [normalize(t or "") for t in texts]
        scores: list[float | None] = [None] * len(norm)
        if self.model is not None:
            scores = list(self.model.predict_proba(norm, normalized=True))
        return [self._verdict(self.rules.match(n), s) for n, s in zip(norm, scores, strict=True)]

    def classify_one(self, text: str) -> Verdict:
        """Return the verdict for one text."""
        return self.classify([text])[0]

    def _verdict(self, found: RuleResult, score: float | None) -> Verdict:
        """Combine a rule result and an optional model score into a verdict."""
        reasons: list[dict[str, Any]] = [h.as_reason() for h in found.hits]
        threshold = self.model.threshold if self.model is not None else 0.5
        if score is not None:
            reasons.append({"kind": "model", "score": round(score, 4)})
        guard_words = found.guards or [w for g in found.guarded for w in g["words"]]
        if found.negative:
            neg, level = 1, found.level
            final = max(score or 0.0, RULE_SCORE)
        elif score is not None and score >= threshold:
            if guard_words and score < self.rules.strong:
                neg, level = 0, None
                reasons.append({"kind": "guard", "words": guard_words, "overrides": "model"})
            else:
                neg, level = 1, "yellow"
            final = score
        else:
            neg, level = 0, None
            final = score if score is not None else 0.0
        reasons.extend(found.guarded)
        if neg:
            sentiment: Sentiment = "negative"
        elif found.positive and (score is None or score < threshold / 2):
            sentiment = "positive"
            reasons.append({"kind": "tone", "sentiment": "positive", "words": found.positive})
        else:
            sentiment = "neutral"
        return Verdict(neg, round(final, 4), level, sentiment, reasons)  # type: ignore[arg-type]


def read_rows(paths: Iterable[Path]) -> list[tuple[str, int, int | None, str]]:
    """Read (text, neg, y3, source) rows from CSV files or directories of CSV files.

    y3 (0 negative / 1 neutral / 2 positive) is read when the file has that column and is None
    otherwise or where it disagrees with neg; source is the file's name without .csv (each file
    is one source for the model's per-source experts).
    """
    rows: list[tuple[str, int, int | None, str]] = []
    for path in paths:
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        for file in files:
            with file.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or not {"text", "neg"} <= set(reader.fieldnames):
                    raise ValueError(f"{file}: needs columns text,neg")
                for row in reader:
                    text, neg = (row.get("text") or "").strip(), (row.get("neg") or "").strip()
                    if text and neg in {"0", "1"}:
                        rows.append((text, int(neg), _y3(row.get("y3"), int(neg)), file.stem))
    return rows


def _y3(value: str | None, neg: int) -> int | None:
    """Return a three-way label that agrees with neg, or None."""
    value = (value or "").strip()
    if value not in {"0", "1", "2"} or (value == "0") != bool(neg):
        return None
    return int(value)


def evaluate(labels: Sequence[int], preds: Sequence[int]) -> dict[str, float]:
    """Return accuracy and negative-class precision, recall and F1."""
    tp = sum(1 for y, p in zip(labels, preds, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, preds, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, preds, strict=True) if y and not p)
    correct = sum(1 for y, p in zip(labels, preds, strict=True) if bool(y) == bool(p))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": correct / len(labels) if labels else 0.0, "precision": precision,
            "recall": recall, "f1": f1}


def train_command(data: list[Path], out: Path, extra_rows: Iterable[tuple[str, int]] = (),
                  holdout: float = 0.1, params: ModelParams | None = None) -> dict[str, Any]:
    """Train on CSV rows plus extra rows, save the model to out and return its metrics."""
    rows: list[tuple[str, int, int | None, str | None]] = [*read_rows([Path(p) for p in data])]
    rows += [(t, int(n), None, None) for t, n in extra_rows]
    if not rows:
        raise ValueError("no training rows found")
    order = list(range(len(rows)))
    random.Random(HOLDOUT_SEED).shuffle(order)
    cut = int(len(rows) * holdout) if 0 < holdout < 1 else 0
    test = [rows[i] for i in order[:cut]]
    fit = [rows[i] for i in order[cut:]]
    from services.opinion.model import train

    model = train(fit, params)
    metrics: dict[str, Any] = {**model.meta, "rows": len(rows), "held_out": len(test)}
    if test:
        probs = model.predict_proba([r[0] for r in test])
        preds = [int(p >= model.threshold) for p in probs]
        metrics.update({k: round(v, 4) for k, v in
                        evaluate([r[1] for r in test], preds).items()})
    model.meta.update(metrics)
    model.save(Path(out))
    return metrics


#: Lines classified together when the input is a pipe or a file (one model call per batch).
STREAM_BATCH = 512


def classify_stream(stdin: IO[str], stdout: IO[str], model_path: Path | None = None,
                    batch: int | None = None) -> int:
    """Classify JSON lines {"text": ...} from stdin to JSON lines on stdout; 1 if any was bad.

    Lines are read and scored in batches of `batch` (STREAM_BATCH when it is None), the output
    flushed at the end of each batch; from a terminal every line is answered as it comes.
    """
    try:
        classifier = Classifier(model_path)
    except (OSError, ValueError) as exc:
        stdout.write(json.dumps({"error": f"model: {exc}"}, ensure_ascii=False) + "\n")
        return 2
    if batch is None:
        batch = 1 if _is_terminal(stdin) else STREAM_BATCH
    status = 0
    pending: list[str] = []
    for line in stdin:
        if line.strip():
            pending.append(line)
        if len(pending) >= batch:
            status |= _classify_lines(classifier, pending, stdout)
            pending = []
    if pending:
        status |= _classify_lines(classifier, pending, stdout)
    return status


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _classify_lines(classifier: Classifier, lines: list[str], stdout: IO[str]) -> int:
    """Answer one batch of input lines in their order (one model call); 1 if any was bad."""
    status = 0
    items: list[dict[str, Any] | str] = []
    for line in lines:
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            items.append(item)
        except ValueError as exc:
            items.append(str(exc))
            status = 1
    good = [item for item in items if isinstance(item, dict)]
    verdicts = iter(classifier.classify([item["text"] for item in good]))
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(json.dumps({"error": item}, ensure_ascii=False))
            continue
        verdict = next(verdicts)
        record: dict[str, Any] = {"neg": verdict.neg, "score": verdict.score,
                                  "level": verdict.level, "sentiment": verdict.sentiment,
                                  "reasons": verdict.reasons}
        if "id" in item:
            record = {"id": item["id"], **record}
        out.append(json.dumps(record, ensure_ascii=False))
    stdout.write("\n".join(out) + "\n")
    stdout.flush()
    return status
