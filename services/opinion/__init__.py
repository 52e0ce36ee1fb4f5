"""Public-opinion (舆情) classifier: normalisation, domain rules and a statistical model."""

from services.opinion.classify import Classifier, Verdict, classify_stream, train_command
from services.opinion.normalize import normalize

__all__ = ["Classifier", "Verdict", "classify_stream", "normalize", "train_command"]
