"""Russia–Ukraine naming: can masked text predict how a document names the war?

Labels come from the lexicon detector (:func:`naming_labels`, which reads
the stored ``war-naming`` detection run or makes it): a document's dominant
own-voice naming is grouped into ``war-invasion`` (war, invasion) or
``special-operation`` (special military operation, military operation);
documents with another or no own-voice naming are left out. Every
``war-naming`` term, in any voice, is masked before featurisation
(``FrameClassifier(mask="war-naming")``, the same masking a saved model
applies when it predicts a corpus), so the classifier has to use the rest of
the text.

Schemes, side by side (nested CV, inner 3-fold grid over C):

* stratified 5-fold x 2 on kremlin-zelenskyy-2022;
* leave-one-source-out over kremlin / president.gov.ua / us-gov-2022;
* time split on kremlin-zelenskyy-2022 (train earlier, test later, two
  test periods).

Run::

    FRAMING_DATA_MIRROR=../shared/corpora OMP_NUM_THREADS=1 \\
        python benchmarks/classify_naming.py --plots benchmarks/results/classify
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

from framing.datasets.build import load_corpus  # noqa: E402
from framing.frames.classify import (  # noqa: E402
    FrameClassifier,
    compare,
    naming_labels,
    validate,
)


def naming_task(name: str) -> pd.DataFrame:
    """Documents of a corpus with their naming label (the classifier masks)."""
    corpus = load_corpus(name)
    table = naming_labels(corpus)
    texts = corpus.articles(columns=["doc_id", "text"])
    table = table.merge(texts, on="doc_id", validate="one_to_one")
    table["source"] = table["outlet"] if name == "kremlin-zelenskyy-2022" else "us-gov"
    return table


def run(n_repeats: int = 2, plots: str | None = None) -> list:
    kz = naming_task("kremlin-zelenskyy-2022")
    us = naming_task("us-gov-2022")
    both = pd.concat([kz, us], ignore_index=True)
    print("labelled documents by source and label:")
    print(pd.crosstab(both["source"], both["label"]).to_string())
    # word n-grams only: character n-grams of ~500-word documents cost ~10x more
    estimator = FrameClassifier(
        word_ngrams=(1, 2), char_ngrams=None, min_df=2, mask="war-naming"
    )
    grid = {"C": [0.3, 1.0, 3.0]}
    results = []
    for scheme, docs, kwargs in [
        ("stratified", kz, {"n_splits": 5, "n_repeats": n_repeats}),
        ("group", both, {"n_splits": 3, "group_column": "source"}),
        ("time", kz, {"n_splits": 2}),
    ]:
        result = validate(
            estimator,
            docs,
            docs["label"].tolist(),
            scheme=scheme,
            param_grid=grid,
            learning_curve=(0.25, 0.5, 1.0) if scheme == "stratified" else None,
            seed=0,
            **kwargs,
        )
        results.append(result)
        print(f"\n== {scheme}")
        print(result.summary())
        cols = ["repeat", "fold", "n_train", "n_test", "accuracy", "macro_f1"]
        print(result.fold_scores[[c for c in cols if c in result.fold_scores]])
        test_sources = [sorted(set(docs["source"].iloc[f.test])) for f in result.folds]
        if scheme == "group":
            print("test sources per fold:", test_sources)
        if scheme == "time":
            for fold in result.folds:
                dates = docs["published"].iloc
                print(
                    f"fold {fold.fold}: train {dates[fold.train].min():%Y-%m-%d}.."
                    f"{dates[fold.train].max():%Y-%m-%d}, test "
                    f"{dates[fold.test].min():%Y-%m-%d}..{dates[fold.test].max():%Y-%m-%d}"
                )
        print(result.confusion)
    print("\n" + compare(results).to_string(index=False))
    if plots:
        from framing.plots import save_figure
        from framing.plots.classify import (
            plot_confusion,
            plot_learning_curve,
            plot_reliability,
        )

        save_figure(plot_confusion(results[1]), f"{plots}/naming_confusion_group")
        save_figure(plot_reliability(results[0]), f"{plots}/naming_reliability")
        save_figure(plot_learning_curve(results[0]), f"{plots}/naming_learning_curve")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--plots", default=None)
    args = parser.parse_args()
    run(args.repeats, args.plots)
