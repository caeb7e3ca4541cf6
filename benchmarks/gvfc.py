"""GVFC benchmark: primary-frame classification of news headlines, scikit-learn only.

Data: the Gun Violence Frame Corpus (Liu et al., CoNLL 2019), registered as
``gvfc`` (evaluation only; not redistributed). Task: the primary frame
(``Q3 Theme1``, frames 1-9) of the relevant headlines (``Q1 Relevant`` = 1)
that carry a frame; headlines coded 99 (no frame) are left out, as in the
paper's nine-class task. ``--with-none`` adds them as a tenth class.

Protocol: nested cross-validation, outer repeated stratified 5-fold
(``--repeats``, default 5), inner stratified 3-fold grid search over C by
macro-F1 on the outer training folds only. Intervals: Nadeau-Bengio
corrected t intervals over the outer folds.

Run::

    FRAMING_DATA_MIRROR=../shared/corpora OMP_NUM_THREADS=1 \\
        python benchmarks/gvfc.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

from framing.datasets.gvfc import gvfc_primary_frames  # noqa: E402
from framing.frames.classify import FrameClassifier, compare, validate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--with-none", action="store_true")
    parser.add_argument("--models", default="logreg")
    args = parser.parse_args()
    docs, labels = gvfc_primary_frames(with_none=args.with_none)
    counts = pd.Series(labels).value_counts()
    print(f"GVFC primary frame: {len(docs)} headlines, {len(counts)} classes")
    print(counts.to_string())
    results = []
    for model in args.models.split(","):
        start = time.perf_counter()
        result = validate(
            FrameClassifier(model=model, word_ngrams=(1, 2), char_ngrams=(2, 5)),
            docs,
            labels,
            scheme="stratified",
            n_splits=args.folds,
            n_repeats=args.repeats,
            param_grid={"C": [1.0, 3.0, 10.0]},
            inner_splits=3,
            seed=0,
        )
        result.scheme = f"{model} {args.repeats}x{args.folds}-fold"
        results.append(result)
        print(f"\n== {model} ({time.perf_counter() - start:.0f} s)")
        print(result.summary())
        print(result.fold_scores.filter(like="param_").value_counts().to_string())
    print("\n" + compare(results).to_string(index=False))


if __name__ == "__main__":
    main()
