"""Supervised frame classifiers: TF-IDF word and character n-grams + a linear model.

:class:`FrameClassifier` wraps a scikit-learn :class:`~sklearn.pipeline.Pipeline`
in the detector contract of :mod:`framing.frames.detect`: hyperparameters are
keyword-only and stored unchanged, ``fit`` learns state ending in ``_`` and
returns ``self``, and ``transform`` returns one row per document with
``doc_id`` and one probability column per frame, ``p__<frame>``.

Documents are accepted in every form :func:`~framing.frames.detect.iter_documents`
accepts; extra numeric features (lexicon counts from
:func:`framing.frames.run.detect_corpus`, topic shares) are columns of a
DataFrame of documents, joined on ``doc_id`` beforehand with
:func:`join_features`, and enter the model through a
:class:`~sklearn.compose.ColumnTransformer` next to the text features.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, MultiLabelBinarizer
from sklearn.svm import LinearSVC

from ..detect import iter_documents

__all__ = [
    "FrameClassifier",
    "MODELS",
    "NO_FRAME",
    "documents_frame",
    "join_features",
    "probability_column",
]

MODELS = ("logreg", "svm")
NO_FRAME = "none"
_MULTI_SEPARATOR = ";"


def probability_column(label: Any) -> str:
    """Name of the probability column of a frame.

    Examples
    --------
    >>> probability_column("gun control")
    'p__gun_control'
    """
    return "p__" + str(label).replace("-", "_").replace(" ", "_")


def documents_frame(documents: Any, extra: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame ``doc_id, text`` (plus the ``extra`` columns) from any input.

    Text is held as Python objects: scikit-learn's indexing fails on the
    Arrow-backed string arrays of pandas 3 (see the dependency notes).
    """
    if isinstance(documents, pd.DataFrame):
        missing = [c for c in ("doc_id", "text", *extra) if c not in documents]
        if missing:
            raise ValueError(
                f"documents lack column(s) {missing}; extra features are joined "
                "on doc_id with join_features() before fitting"
            )
        frame = documents[["doc_id", "text", *extra]].reset_index(drop=True).copy()
    else:
        if extra:
            raise ValueError(
                "extra_features need a DataFrame of documents with those columns"
            )
        rows = [(d, t) for d, t, _ in iter_documents(documents)]
        frame = pd.DataFrame(rows, columns=["doc_id", "text"])
    frame["doc_id"] = frame["doc_id"].astype(str).to_numpy(dtype=object)
    frame["text"] = frame["text"].fillna("").astype(str).to_numpy(dtype=object)
    return frame


def join_features(documents: pd.DataFrame, *tables: pd.DataFrame) -> pd.DataFrame:
    """Left-join feature tables (each with ``doc_id``) onto documents.

    Documents missing from a table get 0, the value of "no mention" for
    lexicon counts and a neutral value for shares.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x", "y"]})
    >>> shares = pd.DataFrame({"doc_id": ["a"], "topic_0": [0.7]})
    >>> join_features(docs, shares)["topic_0"].tolist()
    [0.7, 0.0]
    """
    result = documents.copy()
    result["doc_id"] = result["doc_id"].astype(str)
    for table in tables:
        if "doc_id" not in table:
            raise ValueError("every feature table needs a doc_id column")
        table = table.copy()
        table["doc_id"] = table["doc_id"].astype(str)
        if table["doc_id"].duplicated().any():
            raise ValueError("a feature table has duplicate doc_id values")
        new = [c for c in table.columns if c != "doc_id" and c not in result]
        result = result.merge(table[["doc_id", *new]], on="doc_id", how="left")
        numeric = [c for c in new if pd.api.types.is_numeric_dtype(result[c])]
        result[numeric] = result[numeric].fillna(0)
    return result


def _split_multi(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(_MULTI_SEPARATOR) if v.strip()]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(v) for v in value]


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF (word + character n-grams) and a linear classifier of frames.

    Parameters
    ----------
    model : {"logreg", "svm"}
        Logistic regression, or a linear SVM whose scores are calibrated
        into probabilities by :class:`~sklearn.calibration.CalibratedClassifierCV`
        (sigmoid, ``calibration_cv`` internal folds).
    word_ngrams : tuple of int or None
        Word n-gram range; ``None`` leaves word features out.
    char_ngrams : tuple of int or None
        Character n-gram range (within word boundaries); ``None`` leaves
        them out.
    min_df : int
        Minimum document frequency of an n-gram.
    max_features : int or None
        Cap on the vocabulary of each vectorizer.
    class_weight : "balanced" or None
        ``"balanced"`` reweights frames inversely to their frequency, so
        rare frames are not ignored.
    C : float
        Inverse regularisation strength.
    multilabel : bool
        One-vs-rest over frames; labels are lists of frames or strings
        ``"a;b"``.
    extra_features : sequence of str or None
        Numeric columns of the documents DataFrame (lexicon features, topic
        shares) scaled by their maximum absolute value and appended.
    mask : str or None
        A lexicon (built-in name, or the path of a ``.toml`` file as a
        string) whose terms, of every frame and in any voice, are replaced
        by ``[MASK]`` before the text is featurised, in ``fit`` and in every
        prediction alike. ``fit`` keeps the lexicon's TOML text in
        ``mask_lexicon_``, and predictions mask with that stored text, so a
        saved model masks exactly as it did in training wherever it is
        loaded (see :func:`~framing.frames.classify.masking_config`).
    weak_labels : str or None
        A lexicon name (e.g. ``"war-naming"``). When ``fit`` gets no labels,
        the label of a document is its dominant own-voice frame in that
        lexicon (``"none"`` if it names none). The lexicon's terms are then
        masked as with ``mask`` (unless ``mask`` names another lexicon), so
        the model learns the context, not the terms.
    calibration_cv : int
        Internal folds of the SVM calibration.
    max_iter : int
        Iterations of the solver.
    random_state : int or None
        Seed of the SVM and its calibration folds.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
    classes_ : numpy.ndarray
        Frames, in the order of :meth:`predict_proba` columns.
    binarizer_ : MultiLabelBinarizer or None
        Multi-label only.
    mask_lexicon_ : str or None
        TOML text of the masking lexicon (``mask`` or ``weak_labels``);
        ``None`` if the model does not mask.

    Examples
    --------
    >>> docs = [("a", "Gun control bill passes"), ("b", "Senate debates gun law"),
    ...         ("c", "Shooter had mental illness"), ("d", "Mental health care gaps")]
    >>> clf = FrameClassifier(char_ngrams=None).fit(
    ...     docs, ["control", "control", "health", "health"])
    >>> clf.predict([("e", "New gun control law"), ("f", "mental health")]).tolist()
    ['control', 'health']
    >>> clf.transform(docs).columns.tolist()
    ['doc_id', 'p__control', 'p__health']

    With ``mask``, the naming terms cannot influence a prediction:

    >>> naming = FrameClassifier(mask="war-naming", char_ngrams=None).fit(
    ...     ["the war near Kharkiv", "the special military operation in Donbas"],
    ...     ["war", "operation"])
    >>> p = naming.predict_proba(["the war in Donbas", "the invasion in Donbas"])
    >>> bool((p[0] == p[1]).all())
    True
    """

    def __init__(
        self,
        *,
        model: str = "logreg",
        word_ngrams: tuple[int, int] | None = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 1,
        max_features: int | None = None,
        class_weight: str | None = "balanced",
        C: float = 1.0,
        multilabel: bool = False,
        extra_features: Sequence[str] | None = None,
        mask: str | None = None,
        weak_labels: str | None = None,
        calibration_cv: int = 3,
        max_iter: int = 2000,
        random_state: int | None = 0,
    ) -> None:
        self.model = model
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.C = C
        self.multilabel = multilabel
        self.extra_features = extra_features
        self.mask = mask
        self.weak_labels = weak_labels
        self.calibration_cv = calibration_cv
        self.max_iter = max_iter
        self.random_state = random_state

    # --- building ---------------------------------------------------------------

    def _extra(self) -> list[str]:
        return list(self.extra_features or [])

    def _features(self) -> ColumnTransformer:
        parts: list[tuple[str, Any, Any]] = []
        if self.word_ngrams is not None:
            parts.append(
                (
                    "word",
                    TfidfVectorizer(
                        analyzer="word",
                        ngram_range=tuple(self.word_ngrams),
                        min_df=self.min_df,
                        max_features=self.max_features,
                        sublinear_tf=True,
                    ),
                    "text",
                )
            )
        if self.char_ngrams is not None:
            parts.append(
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=tuple(self.char_ngrams),
                        min_df=self.min_df,
                        max_features=self.max_features,
                        sublinear_tf=True,
                    ),
                    "text",
                )
            )
        if self._extra():
            # MaxAbsScaler keeps sparse input sparse and zero counts at zero.
            parts.append(("extra", MaxAbsScaler(), self._extra()))
        if not parts:
            raise ValueError("no features: word_ngrams, char_ngrams and extra are off")
        return ColumnTransformer(parts, sparse_threshold=1.0)

    def _classifier(self) -> Any:
        if self.model == "logreg":
            return LogisticRegression(
                C=self.C, class_weight=self.class_weight, max_iter=self.max_iter
            )
        if self.model == "svm":
            return CalibratedClassifierCV(
                LinearSVC(
                    C=self.C,
                    class_weight=self.class_weight,
                    max_iter=self.max_iter,
                    random_state=self.random_state,
                ),
                method="sigmoid",
                cv=self.calibration_cv,
            )
        raise ValueError(f"model must be one of {MODELS}; got {self.model!r}")

    def _mask_lexicon(self) -> str | None:
        return self.mask if self.mask is not None else self.weak_labels

    def _frame(self, documents: Any, source: str | None = None) -> pd.DataFrame:
        frame = documents_frame(documents, self._extra())
        lexicon = self._mask_lexicon()
        if lexicon is not None:
            from .masking import lexicon_source, mask_with_source

            # Predictions use the text stored at fit, not the lexicon of
            # today's installation (a model saved before mask_lexicon_
            # existed reads it afresh).
            source = (
                source
                or getattr(self, "mask_lexicon_", None)
                or lexicon_source(lexicon)
            )
            masked = mask_with_source(frame["text"].tolist(), source)
            frame["text"] = np.asarray(masked, dtype=object)
        return frame

    # --- the estimator contract -----------------------------------------------

    def fit(
        self, documents: Any, labels: Iterable[Any] | None = None
    ) -> FrameClassifier:
        """Fit on documents and their frames (one label, or a list if multi-label).

        Without ``labels``, ``weak_labels`` must name a lexicon to derive them.
        With ``mask`` (or ``weak_labels``) the lexicon's text is read here and
        kept, and the documents are masked before featurisation.
        """
        if labels is None:
            if self.weak_labels is None:
                raise ValueError(
                    "fit needs labels, or weak_labels naming a lexicon to derive them"
                )
            from .masking import lexicon_labels

            labels = lexicon_labels(documents, lexicon=self.weak_labels)["label"]
        lexicon = self._mask_lexicon()
        source: str | None = None
        if lexicon is not None:
            from .masking import lexicon_source

            source = lexicon_source(lexicon)
        frame = self._frame(documents, source)
        y = list(labels)
        if len(y) != len(frame):
            raise ValueError(f"{len(frame)} documents but {len(y)} labels")
        clf = self._classifier()
        binarizer: MultiLabelBinarizer | None = None
        if self.multilabel:
            binarizer = MultiLabelBinarizer()
            target: Any = binarizer.fit_transform([_split_multi(v) for v in y])
            clf = OneVsRestClassifier(clf)
        else:
            if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in y):
                raise ValueError("labels contain missing values; drop those documents")
            target = np.asarray([str(v) for v in y], dtype=object)
            if len(set(target)) < 2:
                raise ValueError(
                    f"only one frame in the labels ({target[0]!r}); a classifier "
                    "needs at least two"
                )
        pipeline = Pipeline([("features", self._features()), ("clf", clf)])
        pipeline.fit(frame.drop(columns="doc_id"), target)
        self.pipeline_ = pipeline
        self.binarizer_ = binarizer
        self.mask_lexicon_ = source
        self.classes_ = (
            binarizer.classes_ if binarizer is not None else pipeline.classes_
        )
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("FrameClassifier is not fitted; call fit first")

    def predict_proba(self, documents: Any) -> np.ndarray:
        """Probabilities, columns in the order of ``classes_``.

        Multi-label: each column is the probability that the frame applies
        (rows need not sum to one).
        """
        self._check_fitted()
        frame = self._frame(documents)
        return np.asarray(self.pipeline_.predict_proba(frame.drop(columns="doc_id")))

    def predict(self, documents: Any) -> np.ndarray:
        """The most probable frame (multi-label: a list of frames with p >= 0.5)."""
        proba = self.predict_proba(documents)
        if self.binarizer_ is not None:
            out = np.empty(len(proba), dtype=object)
            for i, row in enumerate(proba >= 0.5):
                out[i] = [str(c) for c in self.classes_[row]]
            return out
        return np.asarray(self.classes_[proba.argmax(axis=1)], dtype=object)

    def transform(self, documents: Any) -> pd.DataFrame:
        """``doc_id`` and one probability column ``p__<frame>`` per frame."""
        self._check_fitted()
        frame = documents_frame(documents, self._extra())
        proba = self.predict_proba(frame)
        table = pd.DataFrame(
            proba, columns=[probability_column(c) for c in self.classes_]
        )
        table.insert(0, "doc_id", frame["doc_id"].tolist())
        return table

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Macro-F1 (single-label) or sample-averaged F1 (multi-label)."""
        from sklearn.metrics import f1_score

        predicted = self.predict(X)
        if self.binarizer_ is not None:
            truth = self.binarizer_.transform([_split_multi(v) for v in y])
            guess = self.binarizer_.transform(list(predicted))
            return float(f1_score(truth, guess, average="samples", zero_division=0))
        return float(
            f1_score(
                [str(v) for v in y],
                predicted,
                average="macro",
                sample_weight=sample_weight,
            )
        )
