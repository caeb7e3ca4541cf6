"""Supervised frame classifiers (scikit-learn) with honest validation.

* :class:`FrameClassifier` — TF-IDF word + character n-grams, logistic
  regression or calibrated linear SVM, optional lexicon/topic features;
* :func:`validate` / :func:`compare` — nested cross-validation under
  stratified, grouped (by outlet) and time splits;
* :mod:`.annotate` — document samples, coding sheets, agreement, gold;
* :func:`predict_corpus` — batch prediction over a corpus store;
* :func:`save_model` / :func:`load_model` — skops files with a trust list;
* :func:`naming_labels` / :func:`lexicon_labels` — lexicon-derived (weak)
  labels; :func:`mask_documents` and ``FrameClassifier(mask=...)`` — the
  naming terms masked, in training and prediction alike
  (:func:`masking_config` says how a model masks).
"""

from .annotate import (
    document_agreement,
    gold_labels,
    read_sheets,
    sample_documents,
    write_adjudication,
    write_sheets,
)
from .masking import (
    NAMING_GROUPS,
    lexicon_labels,
    mask_documents,
    mask_text,
    masking_config,
    naming_labels,
)
from .persist import UntrustedModelError, load_model, save_model
from .pipeline import FrameClassifier, join_features, probability_column
from .predict import PredictionRun, predict_corpus
from .validate import (
    TimeSplit,
    ValidationResult,
    compare,
    validate,
)

__all__ = [
    "FrameClassifier",
    "NAMING_GROUPS",
    "PredictionRun",
    "TimeSplit",
    "UntrustedModelError",
    "ValidationResult",
    "compare",
    "document_agreement",
    "gold_labels",
    "join_features",
    "lexicon_labels",
    "load_model",
    "mask_documents",
    "mask_text",
    "masking_config",
    "naming_labels",
    "predict_corpus",
    "probability_column",
    "read_sheets",
    "sample_documents",
    "save_model",
    "validate",
    "write_adjudication",
    "write_sheets",
]
