"""Classifiers end to end on corpus stores, from Python and the CLI.

Masked models (train, save, load, predict a store), weak naming labels from
the stored detection run, and ``framing classify evaluate`` with its three
schemes for single- and multi-label schemes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.datasets.build import CorpusBuilder
from framing.datasets.cards import SourceFile, _parse_mapping
from framing.frames.classify import (
    NAMING_GROUPS,
    FrameClassifier,
    lexicon_labels,
    load_model,
    masking_config,
    naming_labels,
    predict_corpus,
    save_model,
)
from framing.frames.classify import masking as masking_module
from framing.frames.classify.cli import classify_app
from framing.frames.lexicon import load_lexicon
from framing.frames.run import detect_corpus
from framing.synthetic import SYNTHETIC_MAPPING

runner = CliRunner()

WAR_CONTEXT = ["Kharkiv", "shelling", "civilians", "refugees", "Bucha", "sirens"]
SMO_CONTEXT = ["Donbas", "liberation", "denazification", "protect", "Lugansk", "aims"]
OUTLETS = ["alpha", "beta", "gamma"]


def build_store(folder: Path, rows: list[dict[str, str]]) -> object:
    """A corpus store of ``rows`` (key, outlet, date, text); url holds the key."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "docs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["id", "outlet", "date", "headline", "body", "link"]
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    "id": row["key"],
                    "outlet": row["outlet"],
                    "date": row["date"],
                    "headline": f"Item {row['key']}",
                    "body": row["text"],
                    "link": f"https://example.org/{row['key']}",
                }
            )
    source = SourceFile(
        name=path.name,
        url="synthetic:",
        sha256="0" * 64,
        mapping=_parse_mapping(SYNTHETIC_MAPPING, "test", ValueError),
        format="csv",
    )
    # Near-duplicate removal would drop the pairs that differ by one term.
    builder = CorpusBuilder("masked-test", dedupe={"near_duplicates": False})
    return builder.build([(path, source)], folder / "store")


def naming_rows(n: int = 36, seed: int = 0) -> list[dict[str, str]]:
    """Own-voice naming with context words that go with each naming."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        war = i % 2 == 0
        context = list(rng.choice(WAR_CONTEXT if war else SMO_CONTEXT, 3))
        term = ["war", "invasion"][i % 4 // 2] if war else "special military operation"
        day = pd.Timestamp("2022-03-01") + pd.Timedelta(days=i)
        rows.append(
            {
                "key": f"n{i:03d}",
                "outlet": OUTLETS[i % 3],
                "date": f"{day:%Y-%m-%d}T12:00:00Z",
                "text": f"Report {i} on {' '.join(context)}. The {term} goes on.",
            }
        )
    # Two documents that differ only by how they name the war.
    for key, term in (("pair-war", "war"), ("pair-smo", "special military operation")):
        rows.append(
            {
                "key": key,
                "outlet": "alpha",
                "date": "2022-05-01T12:00:00Z",
                "text": f"Shelling near Kharkiv and in Donbas. The {term} goes on.",
            }
        )
    return rows


@pytest.fixture(scope="module")
def naming_store(tmp_path_factory: pytest.TempPathFactory) -> object:
    return build_store(tmp_path_factory.mktemp("naming"), naming_rows())


def keyed(corpus: object, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with doc_id) indexed by the row key of :func:`naming_rows`."""
    urls = corpus.articles(columns=["doc_id", "url"])  # type: ignore[attr-defined]
    urls["key"] = urls["url"].str.rsplit("/", n=1).str[-1]
    return table.merge(urls[["doc_id", "key"]], on="doc_id").set_index("key")


def test_masked_model_predicts_a_store_as_trained_after_save_and_load(
    naming_store, tmp_path, monkeypatch
):
    corpus = naming_store
    docs = corpus.articles(columns=["doc_id", "text"])
    labels = lexicon_labels(docs, groups=NAMING_GROUPS)
    train = docs[labels["label"].notna()].reset_index(drop=True)
    y = labels["label"].dropna().tolist()
    model = FrameClassifier(mask="war-naming", char_ngrams=(2, 4)).fit(train, y)
    assert model.mask == "war-naming"  # stored unchanged
    path = save_model(model, tmp_path / "naming.skops", metadata={"corpus": "test"})

    sidecar = json.loads(path.with_name(path.name + ".json").read_text())
    mask = sidecar["preprocessing"]["mask"]
    assert mask["lexicon"] == "war-naming" and mask["token"] == "[MASK]"
    assert mask["sha256"] == load_lexicon("war-naming").sha256
    assert mask["stored_in_model"] is True

    # The colleague's installation no longer has the lexicon: the loaded
    # model must mask with the copy it carries.
    def unavailable(lexicon):
        raise AssertionError("the lexicon was read again instead of the stored copy")

    monkeypatch.setattr(masking_module, "lexicon_source", unavailable)
    loaded = load_model(path)
    assert loaded.mask_lexicon_ == model.mask_lexicon_
    run = predict_corpus(loaded, corpus, name="naming", batch_size=7)
    assert run.manifest["model"]["mask"] == masking_config(model)
    assert "masked before prediction" in run.summary()

    predictions = keyed(corpus, run.predictions)
    columns = ["p__special_operation", "p__war_invasion"]
    pair = predictions.loc[["pair-war", "pair-smo"], columns].to_numpy()
    np.testing.assert_array_equal(pair[0], pair[1])
    # and the store predictions are the in-memory ones of the trained model
    expected = keyed(corpus, model.transform(docs))[columns]
    np.testing.assert_allclose(predictions[columns], expected.loc[predictions.index])


def test_an_unmasked_model_is_swayed_by_the_naming_term(naming_store):
    # The check above is not vacuous: without masking the pair differs.
    docs = naming_store.articles(columns=["doc_id", "text"])
    labels = lexicon_labels(docs, groups=NAMING_GROUPS)
    train = docs[labels["label"].notna()].reset_index(drop=True)
    model = FrameClassifier(char_ngrams=(2, 4)).fit(train, labels["label"].dropna())
    pair = keyed(naming_store, model.transform(docs)).loc[["pair-war", "pair-smo"]]
    assert not np.allclose(
        pair["p__war_invasion"].iloc[0], pair["p__war_invasion"].iloc[1]
    )


def test_naming_labels_read_the_stored_detection_run(naming_store):
    detect_corpus(naming_store)
    table = naming_labels(naming_store)
    assert list(table.columns) == [
        "doc_id",
        "outlet",
        "published",
        "dominant_own",
        "label",
    ]
    labels = keyed(naming_store, table)["label"]
    assert labels["pair-war"] == "war-invasion"
    assert labels["pair-smo"] == "special-operation"
    assert labels["n001"] == "special-operation" and labels["n002"] == "war-invasion"
    ungrouped = keyed(naming_store, naming_labels(naming_store, groups=None))
    assert ungrouped.loc["n002", "label"] == "invasion"


def test_cli_trains_on_weak_labels_and_predicts_masked(naming_store, tmp_path):
    store = str(naming_store.path)
    model = tmp_path / "weak.skops"
    trained = runner.invoke(
        classify_app,
        ["train", store, "--weak-labels", "war-naming", "--out", str(model)]
        + ["--no-progress"],
    )
    assert trained.exit_code == 0, trained.output
    assert "masked" in trained.output
    sidecar = json.loads(model.with_name(model.name + ".json").read_text())
    assert sidecar["params"]["mask"] == "war-naming"
    assert sidecar["preprocessing"]["mask"]["name"] == "war-naming"
    assert sidecar["metadata"]["labels"] == "weak: own-voice war-naming"

    predicted = runner.invoke(
        classify_app,
        ["predict", store, "--model", str(model), "--name", "weak", "--no-progress"],
    )
    assert predicted.exit_code == 0, predicted.output
    assert "masked before prediction" in predicted.output
    table = pd.read_parquet(
        naming_store.path / "classify" / "weak" / "predictions.parquet"
    )
    pair = keyed(naming_store, table).loc[["pair-war", "pair-smo"]]
    assert pair["p__war_invasion"].iloc[0] == pair["p__war_invasion"].iloc[1]


def test_cli_needs_exactly_one_source_of_labels(naming_store, tmp_path):
    store = str(naming_store.path)
    neither = runner.invoke(classify_app, ["train", store, "--out", "m.skops"])
    assert neither.exit_code == 1
    assert "--labels FILE or --weak-labels" in neither.output


# --- evaluate: schemes side by side, single- and multi-label ------------------

VOCAB = {
    "control": ["ban", "background", "checks", "assault", "weapons", "law"],
    "health": ["mental", "illness", "therapy", "psychiatric", "care", "crisis"],
    "safety": ["school", "campus", "guards", "drill", "lockdown", "students"],
}
COMBOS = [
    ["control"],
    ["health"],
    ["safety"],
    ["control", "safety"],
    ["health", "safety"],
    ["control", "health"],
]


@pytest.fixture(scope="module")
def frames_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    """Headlines with one or two frames each, and a labels CSV (``a;b``)."""
    rng = np.random.default_rng(1)
    noise = ["the", "a", "shooting", "gun", "news", "today", "report", "says"]
    rows, frames = [], []
    for i in range(72):
        combo = COMBOS[i % len(COMBOS)]
        words = [str(w) for f in combo for w in rng.choice(VOCAB[f], 3)]
        words += [str(w) for w in rng.choice(noise, 3)] + [f"item{i}"]
        rng.shuffle(words)
        day = pd.Timestamp("2022-01-01") + pd.Timedelta(days=i)
        rows.append(
            {
                "key": f"h{i:03d}",
                "outlet": OUTLETS[(i // 6) % 3],
                "date": f"{day:%Y-%m-%d}T12:00:00Z",
                "text": " ".join(words),
            }
        )
        frames.append(";".join(combo))
    folder = tmp_path_factory.mktemp("frames")
    corpus = build_store(folder, rows)
    table = keyed(corpus, corpus.articles(columns=["doc_id"])).reset_index()
    table["multi"] = [frames[int(k[1:])] for k in table["key"]]
    table["primary"] = [f.split(";")[0] for f in table["multi"]]
    table[["doc_id", "multi", "primary"]].to_csv(folder / "labels.csv", index=False)
    return corpus, folder / "labels.csv"


def test_cli_evaluate_runs_the_three_schemes_side_by_side(frames_store, tmp_path):
    corpus, labels = frames_store
    out = tmp_path / "scores.csv"
    result = runner.invoke(
        classify_app,
        ["evaluate", str(corpus.path), "--labels", str(labels)]
        + ["--label-column", "primary", "--folds", "3", "--grid", "1"]
        + ["--out", str(out), "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    for scheme in ("stratified", "group", "time"):
        assert f"validation scheme: {scheme}" in result.output
    side_by_side = result.output.split("schemes side by side", 1)[1].splitlines()
    assert side_by_side[1].split() == [
        "scheme",
        "folds",
        "accuracy",
        "macro_f1",
        "brier",
    ]
    assert [line.split()[0] for line in side_by_side[2:5]] == [
        "stratified",
        "group",
        "time",
    ]
    table = pd.read_csv(out)
    assert set(table["scheme"]) == {"stratified", "group", "time"}
    assert "accuracy" in set(table["metric"])


def test_cli_evaluate_multilabel(frames_store, tmp_path):
    corpus, labels = frames_store
    args = ["evaluate", str(corpus.path), "--labels", str(labels)]
    args += ["--label-column", "multi", "--folds", "3", "--grid", "1"]
    refused = runner.invoke(classify_app, [*args, "--scheme", "group"])
    assert refused.exit_code == 1
    assert "--multilabel" in refused.output and "Traceback" not in refused.output

    out = tmp_path / "multi.csv"
    result = runner.invoke(
        classify_app, [*args, "--multilabel", "--out", str(out), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    for scheme in ("stratified", "group", "time"):
        assert f"validation scheme: {scheme}" in result.output
    assert "hamming_loss" in result.output and "subset_accuracy" in result.output
    table = pd.read_csv(out)
    per_frame = table[table["label"].notna() & (table["metric"] == "f1")]
    assert set(per_frame["label"]) == set(VOCAB)
    stratified = table[(table["scheme"] == "stratified") & table["label"].isna()]
    micro = stratified.set_index("metric").loc["micro_f1", "estimate"]
    assert micro > 0.8


def test_cli_train_multilabel_and_unknown_scheme(frames_store, tmp_path):
    corpus, labels = frames_store
    model = tmp_path / "multi.skops"
    trained = runner.invoke(
        classify_app,
        ["train", str(corpus.path), "--labels", str(labels), "--label-column"]
        + ["multi", "--multilabel", "--out", str(model), "--no-progress"],
    )
    assert trained.exit_code == 0, trained.output
    assert load_model(model).binarizer_ is not None
    bad = runner.invoke(
        classify_app,
        ["evaluate", str(corpus.path), "--labels", str(labels), "--scheme", "random"],
    )
    assert bad.exit_code == 1 and "unknown scheme" in bad.output


def test_a_model_file_carrying_a_backtracking_regex_is_refused_at_load(
    naming_store, tmp_path
):
    import time

    from framing.frames.classify import UntrustedModelError

    docs = naming_store.articles(columns=["doc_id", "text"])
    labels = lexicon_labels(docs, groups=NAMING_GROUPS)
    train = docs[labels["label"].notna()].reset_index(drop=True)
    model = FrameClassifier(mask="war-naming", char_ngrams=None).fit(
        train, labels["label"].dropna().tolist()
    )
    # A hostile copy: the stored lexicon gains a pattern that backtracks
    # catastrophically on a long run of "a"s without a match.
    model.mask_lexicon_ = model.mask_lexicon_.replace(
        "patterns.en = ['\\bSMO\\b'", "patterns.en = ['(a+)+$', '\\bSMO\\b'", 1
    )
    assert "(a+)+$" in model.mask_lexicon_
    import skops.io as sio

    # save_model itself refuses such a lexicon; a hostile file is written
    # by other means, so write it directly.
    path = tmp_path / "hostile.skops"
    sio.dump(model, path)
    started = time.monotonic()
    with pytest.raises(UntrustedModelError, match=r"nested repetition"):
        load_model(path)
    assert time.monotonic() - started < 5

    side = path.with_name(path.name + ".json")
    side.write_text("{not json", encoding="utf-8")
    with pytest.raises(UntrustedModelError, match="not valid JSON"):
        load_model(path)
    side.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UntrustedModelError, match="not a model description"):
        load_model(path)
