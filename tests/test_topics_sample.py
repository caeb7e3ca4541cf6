"""Topic models trained on a seeded stratified sample of the documents."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from framing.errors import FramingError
from framing.frames.topics import (
    SAMPLE_FIELDS,
    TopicModel,
    allocate,
    best_match_similarity,
    load_model,
    sample_lda_corpus,
    save_model,
    select_k,
    stratified_sample,
    topic_word_hash,
)
from framing.frames.topics.cli import topics_app
from framing.frames.topics.sample import NO_DATE, document_strata
from framing.study import StudyConfigError, parse_study
from framing.study.config import TOPIC_SAMPLE_FIELDS
from framing.synthetic import write_synthetic_corpus

FAST = {"no_below": 1, "no_above": 1.0, "phrase_layers": 0}


def _framed(data, outlets, years):
    """A DataFrame of the synthetic documents with outlet and published."""
    frame = pd.DataFrame(data.documents, columns=["doc_id", "text"])
    frame["outlet"] = outlets
    frame["published"] = pd.to_datetime(
        [None if y is None else f"{y}-06-01" for y in years], utc=True
    )
    return frame


@pytest.fixture(scope="module")
def frame():
    """120 documents: outlets a/b/c of 60/40/20, years 2021/2022, 6 undated."""
    data = sample_lda_corpus(n_docs=120, k=3, vocab_size=60, doc_length=40, seed=5)
    outlets = ["a"] * 60 + ["b"] * 40 + ["c"] * 20
    years = (
        ([2021] * 25 + [2022] * 30 + [None] * 5) + [2022] * 40 + [None] + [2021] * 19
    )
    return _framed(data, outlets, years)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_synthetic_corpus(
        tmp_path_factory.mktemp("store"), n_articles=60, seed=2
    )


@pytest.fixture(scope="module")
def sampled(frame, tmp_path_factory):
    cache = tmp_path_factory.mktemp("bow")
    model = TopicModel(k=3, passes=3, sample_size=50, cache_dir=cache, **FAST)
    return model.fit(frame)


# -- allocation and drawing --------------------------------------------------


def test_largest_remainder_allocation_by_hand():
    # Strata of 50, 30, 20 and 7 (107 documents), sample of 10. Quotas
    # 10 * size / 107: 4.673, 2.804, 1.869, 0.654. Integer parts 4, 2, 1, 0
    # (7 documents); the 3 left go to the largest fractional parts, 0.869
    # (the 20), 0.804 (the 30) and 0.673 (the 50); the 7 gets none.
    assert allocate([50, 30, 20, 7], 10).tolist() == [5, 3, 2, 0]
    # Equal fractional parts: the earlier strata first.
    assert allocate([1, 1, 1], 2).tolist() == [1, 1, 0]
    assert allocate([3, 3], 6).tolist() == [3, 3]
    assert allocate([5], 0).tolist() == [0]
    with pytest.raises(ValueError, match="between 0 and 8"):
        allocate([5, 3], 9)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=12),
    fraction=st.floats(0, 1),
)
def test_allocation_sums_to_n_and_stays_within_one_of_the_quota(sizes, fraction):
    total = sum(sizes)
    n = int(round(fraction * total))
    counts = allocate(sizes, n)
    quotas = n * np.asarray(sizes) / total
    assert counts.sum() == n
    assert np.all(np.abs(counts - quotas) < 1)
    assert np.all(counts <= np.asarray(sizes))


def test_stratified_sample_draws_the_allocation_reproducibly():
    strata = np.repeat([0, 1, 2, 3], [50, 30, 20, 7])
    ids = [f"d{i:03d}" for i in range(len(strata))]
    picked = stratified_sample(strata, 10, seed=3, ids=ids)
    assert np.bincount(strata[picked], minlength=4).tolist() == [5, 3, 2, 0]
    assert np.all(np.diff(picked) > 0)  # corpus order
    again = stratified_sample(strata, 10, seed=3, ids=ids)
    np.testing.assert_array_equal(picked, again)
    other = stratified_sample(strata, 10, seed=4, ids=ids)
    assert not np.array_equal(picked, other)
    np.testing.assert_array_equal(stratified_sample(strata, 500, 0), np.arange(107))


def test_sample_does_not_depend_on_the_order_of_the_documents():
    rng = np.random.default_rng(0)
    strata = rng.integers(0, 4, size=200)
    ids = np.array([f"doc-{i:04d}" for i in range(200)], dtype=object)
    order = rng.permutation(200)
    first = set(ids[stratified_sample(strata, 37, 11, ids=ids)])
    shuffled = set(ids[order][stratified_sample(strata[order], 37, 11, ids=ids[order])])
    assert first == shuffled and len(first) == 37


@pytest.mark.parametrize("seed", [-1, None, 1.5, True])
def test_seed_must_be_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match="seed"):
        stratified_sample([0, 0, 1], 1, seed)


# -- the model ---------------------------------------------------------------


def test_sample_record_and_shares_for_every_document(sampled, frame):
    record = sampled.sample_
    assert record["size"] == 50 and record["requested"] == 50
    assert record["population"] == 120 and not record["whole_corpus"]
    assert record["by"] == ["outlet", "year"] and record["seed"] == 0
    assert record["method"].startswith("stratified, proportional allocation")
    json.dumps(record)  # JSON-ready
    strata = sampled.sample_strata_
    assert strata.columns.tolist() == ["outlet", "year", "population", "sample"]
    expected = (
        frame.assign(year=frame["published"].dt.year.astype("Int64").astype(object))
        .fillna({"year": NO_DATE})
        .groupby(["outlet", "year"], sort=False)
        .size()
    )
    assert strata["population"].sum() == 120
    for row in strata.itertuples():
        assert row.population == expected[(row.outlet, row.year)]
    # Undated documents form their own year stratum, after the years.
    assert strata[strata["outlet"] == "a"]["year"].tolist() == [2021, 2022, NO_DATE]
    np.testing.assert_array_equal(
        strata["sample"], allocate(strata["population"].tolist(), 50)
    )
    assert record["strata_without_sample"] == int((strata["sample"] == 0).sum())

    mask = sampled.sample_doc_mask_
    assert mask.dtype == bool and mask.shape == (120,) and mask.sum() == 50
    # Training saw the sample only; the shares cover every document.
    assert sampled.model_.state.numdocs == 50
    shares = sampled.document_topics()
    assert shares["doc_id"].tolist() == frame["doc_id"].tolist()
    assert sampled.gamma_.shape == (120, 3) and len(sampled.doc_lengths_) == 120
    assert shares.columns.tolist() == ["doc_id", "n_tokens", *sampled.topic_names_]
    assert np.allclose(shares[sampled.topic_names_].sum(axis=1), 1.0)
    selected = shares["doc_id"][mask].tolist()
    by_stratum = frame.set_index("doc_id").loc[selected, "outlet"].value_counts()
    assert by_stratum.to_dict() == strata.groupby("outlet")["sample"].sum().to_dict()


def test_same_seed_same_sample_and_topics_other_seed_other_sample(frame, tmp_path):
    def fit(seed, cache):
        return TopicModel(
            k=3, passes=2, sample_size=40, random_state=seed, cache_dir=cache, **FAST
        ).fit(frame)

    first, second = fit(7, tmp_path / "a"), fit(7, tmp_path / "b")
    assert first.sample_ == second.sample_
    np.testing.assert_array_equal(first.sample_doc_mask_, second.sample_doc_mask_)
    assert topic_word_hash(first) == topic_word_hash(second)
    pd.testing.assert_frame_equal(first.document_topics(), second.document_topics())
    other = fit(8, tmp_path / "a")
    assert other.sample_["doc_ids_sha256"] != first.sample_["doc_ids_sha256"]
    assert not np.array_equal(other.sample_doc_mask_, first.sample_doc_mask_)


def test_sample_of_a_reordered_corpus_holds_the_same_documents(frame, tmp_path):
    params = {"k": 3, "passes": 1, "sample_size": 45, "cache_dir": tmp_path, **FAST}
    ordered = TopicModel(**params).fit(frame)
    reordered_frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    reordered = TopicModel(**params).fit(reordered_frame)
    assert ordered.sample_["strata"] == reordered.sample_["strata"]

    def chosen(model):
        return set(np.asarray(model.doc_ids_)[model.sample_doc_mask_])

    assert chosen(ordered) == chosen(reordered)


def test_without_sample_size_nothing_changes(frame, tmp_path):
    plain = TopicModel(k=3, passes=2, cache_dir=tmp_path, **FAST).fit(frame)
    unused = TopicModel(
        k=3, passes=2, sample_by=("outlet",), cache_dir=tmp_path, **FAST
    ).fit(frame)
    assert plain.sample_ is None and plain.sample_doc_mask_ is None
    assert plain.sample_strata_ is None
    assert topic_word_hash(plain) == topic_word_hash(unused)
    pd.testing.assert_frame_equal(plain.document_topics(), unused.document_topics())
    assert plain.model_.state.numdocs == 120


def test_sample_as_large_as_the_corpus_is_the_whole_corpus(frame, tmp_path):
    plain = TopicModel(k=3, passes=2, cache_dir=tmp_path, **FAST).fit(frame)
    whole = TopicModel(k=3, passes=2, sample_size=120, cache_dir=tmp_path, **FAST).fit(
        frame
    )
    record = whole.sample_
    assert record["whole_corpus"] and record["size"] == 120
    assert record["method"].startswith("whole corpus")
    assert record["strata_without_sample"] == 0
    assert whole.sample_doc_mask_.all()
    assert topic_word_hash(whole) == topic_word_hash(plain)
    more = TopicModel(k=3, passes=2, sample_size=10_000, cache_dir=tmp_path, **FAST)
    assert more.fit(frame).sample_["whole_corpus"]


def test_simple_random_sample_needs_no_metadata(tmp_path):
    data = sample_lda_corpus(n_docs=60, k=2, vocab_size=40, seed=1)
    model = TopicModel(
        k=2, passes=2, sample_size=25, sample_by=(), cache_dir=tmp_path, **FAST
    ).fit(data.documents)
    assert model.sample_["by"] == [] and model.sample_["size"] == 25
    assert model.sample_["method"] == "simple random sample without replacement"
    assert model.sample_strata_.to_dict("records") == [{"population": 60, "sample": 25}]


def test_sample_trained_model_recovers_the_known_topics(tmp_path):
    """Half of 400 documents, stratified: mean best-match similarity >= 0.9
    and every topic >= 0.8 (as the whole-corpus test asks).

    With this seed the sample gives a mean of 0.99 and a minimum of 0.98;
    over seeds 0-4 the means were 0.88-0.995, two seeds merging a pair of
    topics (minimum 0.62-0.65), as whole-corpus fits with few passes do.
    """
    data = sample_lda_corpus(n_docs=400, k=5, vocab_size=200, doc_length=80, seed=0)
    outlets = ["a"] * 200 + ["b"] * 120 + ["c"] * 80
    frame = _framed(data, outlets, [2021] * 150 + [2022] * 250)
    model = TopicModel(
        k=5, passes=10, random_state=0, sample_size=200, cache_dir=tmp_path, **FAST
    ).fit(frame)
    vocabulary = [model.dictionary_[i] for i in range(len(model.dictionary_))]
    similarity = best_match_similarity(
        data.topic_word, data.vocabulary, model.topic_word_, vocabulary
    )
    assert similarity.mean() >= 0.9
    assert similarity.min() >= 0.8


def test_sample_from_a_corpus_store(store, tmp_path):
    model = TopicModel(
        k=2, passes=1, no_below=2, phrase_layers=0, sample_size=20, cache_dir=tmp_path
    ).fit(store)
    counts = store.sql(
        "SELECT outlet, year(published) AS year, count(*) AS n FROM articles "
        "GROUP BY ALL ORDER BY outlet, year"
    )
    strata = model.sample_strata_
    assert strata["outlet"].tolist() == counts["outlet"].tolist()
    assert strata["year"].tolist() == counts["year"].astype(int).tolist()
    assert strata["population"].tolist() == counts["n"].tolist()
    assert model.sample_["size"] == 20 == strata["sample"].sum()
    assert len(model.document_topics()) == store.counts["kept"]


def test_save_and_load_keep_the_sample(sampled, tmp_path):
    pin = save_model(sampled, tmp_path / "model")
    loaded = load_model(tmp_path / "model", expected_manifest_sha256=pin)
    assert loaded.sample_ == sampled.sample_
    np.testing.assert_array_equal(loaded.sample_doc_mask_, sampled.sample_doc_mask_)
    pd.testing.assert_frame_equal(loaded.sample_strata_, sampled.sample_strata_)
    assert loaded.get_params()["sample_size"] == 50
    assert loaded.get_params()["sample_by"] == ("outlet", "year")
    pd.testing.assert_frame_equal(loaded.document_topics(), sampled.document_topics())
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["sample"]["doc_ids_sha256"] == sampled.sample_["doc_ids_sha256"]


def test_a_model_without_sample_saves_and_loads_as_before(frame, tmp_path):
    plain = TopicModel(k=3, passes=1, cache_dir=tmp_path, **FAST).fit(frame)
    save_model(plain, tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert "sample" not in meta and "sample_size" not in meta["params"]
    assert not (tmp_path / "model" / "sample_mask.npy").exists()
    loaded = load_model(tmp_path / "model")
    assert loaded.sample_ is None and loaded.sample_doc_mask_ is None


def test_select_k_trains_each_fit_on_its_sample(frame):
    grid = select_k(
        frame, [2, 3], seeds=[0, 1], passes=1, topn=5, measures=["u_mass"],
        sample_size=40, **FAST,
    )  # fmt: skip
    assert len(grid.runs) == 4


# -- refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sample_by": ("source",)}, "unknown field 'source'; allowed fields are "),
        ({"sample_by": "outlet"}, "not one string"),
        ({"sample_size": 0}, "sample_size=0: must be a positive integer"),
        ({"sample_size": 2.5}, "must be a positive integer"),
        ({"sample_size": True}, "must be a positive integer"),
        ({"random_state": None}, "needs a non-negative integer random_state"),
    ],
)
def test_bad_sampling_parameters_are_refused(frame, tmp_path, params, message):
    model = TopicModel(k=2, sample_size=10, cache_dir=tmp_path, **FAST)
    with pytest.raises(ValueError, match=message):
        model.set_params(**params).fit(frame)


def test_strata_need_outlets_and_dates(frame, tmp_path):
    model = TopicModel(k=2, sample_size=10, cache_dir=tmp_path, **FAST)
    with pytest.raises(ValueError, match=r"needs the column\(s\) \['published'\]"):
        model.fit(frame.drop(columns="published"))
    pairs = list(zip(frame["doc_id"], frame["text"], strict=True))
    with pytest.raises(ValueError, match="fit on a corpus store or a DataFrame"):
        model.fit(pairs)
    model.set_params(sample_by=("year",))
    with pytest.raises(ValueError, match=r"\['outlet'\]|\['published'\]"):
        model.fit(frame[["doc_id", "text", "outlet"]])


def test_a_prepared_document_without_metadata_is_an_error(frame):
    with pytest.raises(FramingError, match="1 prepared document.*'nowhere'"):
        document_strata(frame, [*frame["doc_id"], "nowhere"], ("outlet",))


# -- command line and study --------------------------------------------------


def test_cli_fit_states_the_sample_in_its_manifest(store):
    args = [
        "fit", str(store.path), "--k", "2", "--passes", "1", "--no-below", "2",
        "--phrase-layers", "0", "--no-progress", "--sample-size", "20",
        "--sample-by", "outlet",
    ]  # fmt: skip
    result = CliRunner().invoke(topics_app, args)
    assert result.exit_code == 0, result.output
    assert "trained on a sample of 20 of" in " ".join(result.output.split())
    runs = [p for p in (store.path / "topics").iterdir() if p.suffix != ".lock"]
    manifests = [json.loads((run / "manifest.json").read_text()) for run in runs]
    (manifest,) = [m for m in manifests if "sample" in m]
    assert manifest["sample"]["size"] == 20 and manifest["sample"]["by"] == ["outlet"]
    assert manifest["parameters"]["sample_size"] == 20
    assert manifest["parameters"]["sample_by"] == ["outlet"]
    (run,) = [r for r, m in zip(runs, manifests, strict=True) if "sample" in m]
    shares = pd.read_parquet(run / "document_topics.parquet")
    assert len(shares) == store.counts["kept"]
    saved = load_model(run / "model")
    assert saved.sample_ == manifest["sample"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sample-size", "5", "--sample-by", "outlet,source"], "unknown field"),
        (["--sample-by", "outlet"], "--sample-by needs --sample-size"),
        (["--sample-size", "0"], "must be a positive integer"),
    ],
)
def test_cli_refuses_bad_sample_options(store, extra, message):
    args = ["fit", str(store.path), "--k", "2", "--no-progress", *extra]
    result = CliRunner().invoke(topics_app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


STUDY = {
    "study": {"name": "t"},
    "corpora": {"names": ["us-gov-2022"]},
    "events": [{"date": "2022-02-24", "label": "invasion"}],
    "naming": {"frames": ["invasion"]},
}


def _study(**topics):
    return {**STUDY, "topics": {"corpus": "us-gov-2022", **topics}}


def test_study_config_takes_a_training_sample():
    assert TOPIC_SAMPLE_FIELDS == SAMPLE_FIELDS
    plain = parse_study(_study(), "s.toml")
    assert "sample_size" not in plain.topics and "sample_by" not in plain.topics
    sampled = parse_study(_study(sample_size=5000), "s.toml")
    assert sampled.topics["sample_size"] == 5000
    assert sampled.topics["sample_by"] == ["outlet", "year"]
    simple = parse_study(_study(sample_size=5000, sample_by=[]), "s.toml")
    assert simple.topics["sample_by"] == []


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ({"sample_size": 0}, "[topics] sample_size: 0 must be a positive integer"),
        ({"sample_size": "all"}, "[topics] sample_size: must be an integer"),
        (
            {"sample_size": 10, "sample_by": ["source"]},
            "[topics] sample_by: ['source'] not allowed; allowed values are "
            "'outlet', 'year'",
        ),
        (
            {"sample_by": ["outlet"]},
            "[topics] sample_by: has no effect without sample_size",
        ),
    ],
)
def test_study_config_refuses_bad_sample_keys(topics, message):
    with pytest.raises(StudyConfigError) as caught:
        parse_study(_study(**topics), "s.toml")
    assert message in str(caught.value)


def test_study_topics_fit_stage_records_the_sample(store, monkeypatch):
    from framing.study.runner import _Runner

    study = parse_study(
        _study(k=2, passes=1, no_below=2, sample_size=20, sample_by=["outlet"]),
        "s.toml",
    )
    runner = _Runner(study, force=True, progress=False, report=lambda _: None)
    monkeypatch.setattr(runner, "_topics_report", lambda *args: None)
    runner.topics({"us-gov-2022": store}, None)
    (fit,) = [s for s in runner.stages if s.name == "topics-fit"]
    assert fit.record["params"]["model"]["sample_size"] == 20
    assert fit.record["params"]["model"]["sample_by"] == ["outlet"]
    sample = fit.summary["sample"]
    assert sample["size"] == 20 and sample["by"] == ["outlet"]
    assert sample["population"] == store.counts["kept"]
    shares = pd.read_parquet(fit.path / "document-topics.parquet")
    assert len(shares) == store.counts["kept"]
