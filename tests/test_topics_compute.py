"""Topic preparation in parts: the same cache folder in every setting.

The corpora are seeded synthetic news-like articles (framing.synthetic) and
a few hand-written texts; not real data.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter

import pandas as pd
import pytest
from conftest import kill_a_worker_mid_stage

import framing.frames.topics.collocations as collocations_module
import framing.frames.topics.tokens as tokens_module
from framing.compute import Compute, ComputeError
from framing.frames.topics import TokenizerParams, prepare_corpus
from framing.frames.topics.tokens import merge_counts
from framing.synthetic import write_synthetic_corpus

PROCESSES = Compute(mode="processes", workers=2)

EDGE_DOCS = [
    ("e0", "The special military operation began in the east."),
    ("e1", ""),
    ("e2", "the and of a an"),
    ("e3", "Специальная военная операция началась; война в Украине."),
    ("e4", "We've read the Kremlin's 'special military operation', 24 Feb."),
    ("e5", "grain exports grain exports grain prices grain exports"),
    ("e6", "special military operation special military operation war war"),
    ("e7", "o'clock don't won't rock'n'roll naïve café façade"),
]
EDGE_DOCS = [(f"{d}-{i}", t) for i in range(3) for d, t in EDGE_DOCS]
EDGE_PARAMS = TokenizerParams(
    no_below=1, no_above=1.0, phrase_min_count=1, phrase_threshold=0.5
)
PARAMS = {
    "default": TokenizerParams(),
    "three-layers-keep-n": TokenizerParams(
        phrase_layers=3,
        phrase_min_count=2,
        phrase_threshold=1.0,
        no_below=2,
        no_above=0.9,
        keep_n=500,
    ),
    "no-phrases": TokenizerParams(phrase_layers=0, no_below=3),
}

# sha256 of each output of the single-pass implementation (gensim Phrases
# trained on the whole token stream, Dictionary.add_documents, MmWriter)
# before preparation ran in parts, on the corpora above. documents.parquet
# is pinned by its values (its bytes carry the pyarrow version), and
# prepared.json without the key and versions. prepared.json was re-pinned
# when the default phrase_max_vocab became None (exact counts on disk); it
# differs from the single-pass pin only in that parameter's value (checked
# when re-pinning), and the other files keep their single-pass pins.
PINNED = {
    "default": {
        "bow.mm": ("6d8c2e73de5ebb99752d401f4e5b423c5567570e8df288e7183f7e3093f41260"),
        "dictionary.json": (
            "faa0f1a6f2417d88caf01fac41a3fa124e41145003ef75d1e47455b6fd179a7d"
        ),
        "documents.parquet": (
            "99495da6878c14ffbd569ca06fcdfefbb4954849b4c09c51ec6ede94b70ba5df"
        ),
        "phrases.json": (
            "f7b7fbf8071b4d7fc3a869c1d091fed20ca80fdf45115706343af31b8e8a9e8e"
        ),
        "prepared.json": (
            "1e97511964bed2f9b42bcc4f474eb36cc884e39aa1ee6e9383c13aaf38dd3550"
        ),
        "tokens.txt": (
            "aa6985ad7115a22628514d8286a5ee540c28e2ef6bdb7adea974079226ed1a8e"
        ),
    },
    "edge": {
        "bow.mm": ("0e09e2071ffdf26cb45550c306f6652db26cd6663645a9f205d4edda5d2d50b2"),
        "dictionary.json": (
            "a2c0854d0cf1f5482579f63e7a2d349cfbf8f2f598729c78559be751688b566f"
        ),
        "documents.parquet": (
            "502350887a91c3dffe3e5e7b5f0e5d4da5641b1eecb8e33b9fdf0823ff659125"
        ),
        "phrases.json": (
            "02fcb58bd0124097eed6aa2c4e547c2e4e442d51aed3afa9dd7e4b5305064e05"
        ),
        "prepared.json": (
            "3ccd21c7ad14e9af2ce38829eef8445d0625c587db71446f254ffaf43dacb185"
        ),
        "tokens.txt": (
            "698e6690de01cb7454fae1608e88a2e30b790a1fd6fbf4167c00d442489ca834"
        ),
    },
    "no-phrases": {
        "bow.mm": ("8483f32984abcf22c6a6e1c17ef19e7004c4571782c5fc795ac452375178c3e7"),
        "dictionary.json": (
            "c4be44b8f7c8dd4f50b45defd1ff035529f6c84aaf0429222b1d85746a1e5ad6"
        ),
        "documents.parquet": (
            "a24710195da02e2ddfcf36e9c334d45cd96345b95af0f1455f6bf6222957afaa"
        ),
        "phrases.json": (
            "84a85ffc5fc8fb631d570121d95635c56d065e8f61f3add991dfd62867890907"
        ),
        "prepared.json": (
            "f29deef27e83eb75a6e3033c71a4b2871a569b1e86b6e61cc0c9f3ae1a1555ba"
        ),
        "tokens.txt": (
            "1305a5aaaf1f9a705a3af61f5be886b74166c39588b8dabdcabfdf9fe228344c"
        ),
    },
    "three-layers-keep-n": {
        "bow.mm": ("7da66f8b368e2d863721ed76fef30d6b659aa72a3b677fad1b0c8a13abfce4b1"),
        "dictionary.json": (
            "65fd53ccbcb89950187dd7ed34862e92a39ea33fbbd118a7e3dfdc215d7ae57f"
        ),
        "documents.parquet": (
            "aaa198517c672a6c338d61a61005fdedb84f6f47f7a817e4395778dc91b4842b"
        ),
        "phrases.json": (
            "3de54340c273142863f667e5aae6c1aaff262ca5758df9560dc68d141640012b"
        ),
        "prepared.json": (
            "145460fce02e3f6ef04b4d57759c3d962cffbf2fa77ee4a18c08a7c1449a77a5"
        ),
        "tokens.txt": (
            "35e7a79d9e5e29af825f424db46732847b419c753668f3324cb01723cf6e2a6e"
        ),
    },
}


def _pinned_digests(folder):
    digests = {}
    for path in sorted(folder.iterdir()):
        if path.name == "prepared.json":
            meta = json.loads(path.read_text(encoding="utf-8"))
            for name in ("key", "versions", "documents_key"):
                meta.pop(name)
            data = json.dumps(meta, sort_keys=True).encode()
        elif path.name == "documents.parquet":
            data = pd.read_parquet(path).to_csv(index=False).encode()
        else:
            data = path.read_bytes()
        digests[path.name] = hashlib.sha256(data).hexdigest()
    return digests


def _digests(folder):
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # Seeded synthetic news-like articles (framing.synthetic), not real data.
    return write_synthetic_corpus(
        tmp_path_factory.mktemp("topics-compute"), n_articles=1200, seed=5
    )


@pytest.fixture
def small_parts(monkeypatch):
    # Many parts from a small corpus; only this process cuts parts, so the
    # workers need not see the change.
    monkeypatch.setattr(tokens_module, "PART_DOCS", 97)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_parts_give_the_single_pass_outputs(corpus, small_parts, tmp_path, name):
    prepared = prepare_corpus(corpus, PARAMS[name], root=tmp_path)
    assert _pinned_digests(prepared.path) == PINNED[name]


@pytest.mark.parametrize("name", ["default", "three-layers-keep-n"])
def test_counts_in_hash_buckets_give_the_single_pass_outputs(
    corpus, small_parts, monkeypatch, tmp_path, name
):
    # 1,200 documents in buckets of 100 documents' counts: 16 buckets, which
    # this process passes to the workers with each pass's state.
    monkeypatch.setattr(collocations_module, "DOCS_PER_BUCKET", 100)
    prepared = prepare_corpus(corpus, PARAMS[name], root=tmp_path, compute=PROCESSES)
    assert _pinned_digests(prepared.path) == PINNED[name]


def test_parts_give_the_single_pass_outputs_on_edge_texts(monkeypatch, tmp_path):
    # Empty and stop-word-only texts, other scripts, apostrophes, repeats.
    monkeypatch.setattr(tokens_module, "PART_DOCS", 5)
    prepared = prepare_corpus(EDGE_DOCS, EDGE_PARAMS, root=tmp_path)
    assert _pinned_digests(prepared.path) == PINNED["edge"]
    assert "special_military_operation_began" in prepared.dictionary.token2id


def test_cache_folder_is_byte_identical_serially_on_processes_and_on_dask(
    corpus, small_parts, tmp_path
):
    params = PARAMS["three-layers-keep-n"]
    folders = {
        name: prepare_corpus(corpus, params, root=tmp_path / name, compute=compute)
        for name, compute in (
            ("serial", None),
            ("processes", PROCESSES),
            ("dask", Compute(mode="dask", workers=2)),
        )
    }
    expected = _digests(folders["serial"].path)
    assert set(expected) == {
        "bow.mm",
        "dictionary.json",
        "documents.parquet",
        "phrases.json",
        "prepared.json",
        "tokens.txt",
    }
    for name in ("processes", "dask"):
        assert folders[name].key == folders["serial"].key
        assert _digests(folders[name].path) == expected, name


def test_merged_counts_stay_within_the_bound_whatever_the_order():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(400)]
    parts = [Counter(rng.choices(words, k=300)) for _ in range(12)]
    merged: Counter[str] = Counter()
    for part in parts:
        shuffled = list(part.items())
        rng.shuffle(shuffled)
        merged = merge_counts(merged, Counter(dict(shuffled)), 150)
        assert len(merged) <= 150
    again: Counter[str] = Counter()
    for part in parts:
        again = merge_counts(again, part, 150)
    assert merged == again
    assert merged.most_common(1)[0][1] > 0


def test_a_tiny_bound_prunes_alike_in_every_setting(corpus, small_parts, tmp_path):
    common = {"phrase_layers": 1, "phrase_min_count": 2, "phrase_threshold": 1.0}
    bounded = TokenizerParams(**common, phrase_max_vocab=3000)
    unbounded = TokenizerParams(**common)
    serial = prepare_corpus(corpus, bounded, root=tmp_path / "serial")
    parallel = prepare_corpus(
        corpus, bounded, root=tmp_path / "processes", compute=PROCESSES
    )
    assert _digests(parallel.path) == _digests(serial.path)
    full = prepare_corpus(corpus, unbounded, root=tmp_path / "full")
    # The bound is a parameter: another cache entry, other collocations.
    assert full.key != serial.key
    assert full.phrases != serial.phrases


def test_a_worker_killed_mid_preparation_leaves_no_cache_entry(
    corpus, monkeypatch, tmp_path
):
    monkeypatch.setattr(tokens_module, "PART_DOCS", 10)
    error = kill_a_worker_mid_stage(
        lambda: prepare_corpus(
            corpus, PARAMS["default"], root=tmp_path, compute=PROCESSES
        ),
        # Tokens written to the staging folder: parts are coming back.
        lambda: list(tmp_path.glob(".*.building-*/raw-tokens.txt")),
    )
    assert isinstance(error, ComputeError)
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert not list(tmp_path.glob(".*.building-*"))


def test_topics_fit_gives_the_same_run_on_two_workers(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from framing.frames.topics.cli import topics_app

    corpus = write_synthetic_corpus(tmp_path / "store", n_articles=60, seed=2)
    args = [
        "fit", str(corpus.path), "--k", "2", "--seeds", "0", "--passes", "1",
        "--no-below", "2", "--no-progress", "--workers", "2",
    ]  # fmt: skip
    runs = {}
    for mode in ("serial", "processes"):
        # A cache of its own, so that each setting prepares the bag-of-words.
        monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / f"cache-{mode}"))
        result = CliRunner().invoke(topics_app, [*args, "--compute", mode])
        assert result.exit_code == 0, result.output
        (run,) = (p for p in (corpus.path / "topics").iterdir() if p.is_dir())
        runs[mode] = {
            str(p.relative_to(run)): p.read_bytes()
            for p in sorted(run.rglob("*"))
            if p.is_file()
        }
    assert runs["processes"] == runs["serial"]
    bad = CliRunner().invoke(topics_app, [*args, "--compute", "gpu"])
    assert bad.exit_code != 0
    assert "not one of serial, processes, dask" in bad.output


def test_inference_of_new_documents_is_the_same_in_every_setting(
    corpus, small_parts, tmp_path
):
    from framing.frames.topics import TopicModel

    # Trained on a third of the store's articles, applied to all of them:
    # the store's workers read their own ranges.
    articles = corpus.articles(columns=["doc_id", "text"])
    model = TopicModel(
        k=3, passes=2, random_state=1, cache_dir=tmp_path / "bow", no_below=2
    ).fit(articles.iloc[::3])
    shares = {
        name: model.transform(corpus, compute=compute)
        for name, compute in (
            ("serial", None),
            ("processes", PROCESSES),
            ("dask", Compute(mode="dask", workers=2)),
        )
    }
    assert len(shares["serial"]) == len(articles)
    assert shares["serial"]["doc_id"].tolist() == articles["doc_id"].tolist()
    for name in ("processes", "dask"):
        pd.testing.assert_frame_equal(shares[name], shares["serial"], check_exact=True)
    # A DataFrame of the same articles is cut into the same parts.
    pd.testing.assert_frame_equal(model.transform(articles), shares["serial"])
    ids, gamma = model.posteriors(corpus, compute=PROCESSES)
    assert ids == articles["doc_id"].tolist()
    assert gamma.shape == (len(articles), 3)
    # Seeding the E-step per part moves the estimates only within the
    # variational E-step's own stopping tolerance (gensim stops when gamma's
    # mean change is under 0.001): one random state for the whole stream,
    # gensim's way, gives shares that differ by 0.001 on average and by a
    # few hundredths at most (measured here: 0.024).
    _, bows = model.bow(articles)
    one_stream = model._infer(bows)
    one_stream = one_stream / one_stream.sum(axis=1, keepdims=True)
    columns = [c for c in shares["serial"].columns if c.startswith("topic_")]
    difference = abs(shares["serial"][columns].to_numpy() - one_stream)
    assert difference.mean() < 0.003
    assert difference.max() < 0.05
