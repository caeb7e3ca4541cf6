"""The ``framing topics fit`` command and the topic figures."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from framing.frames.topics import TopicModel, select_k, top_word_table, topic_prevalence
from framing.frames.topics.cli import topics_app
from framing.plots.style import save_figure
from framing.plots.topics import plot_k_selection, plot_top_words, plot_topic_prevalence
from framing.synthetic import write_synthetic_corpus


def test_fit_writes_outputs_and_reruns_byte_identical(tmp_path):
    corpus = write_synthetic_corpus(tmp_path / "store", n_articles=50, seed=2)
    args = [
        "fit", str(corpus.path), "--grid", "2,3", "--seeds", "0,1", "--passes", "1",
        "--no-below", "2", "--phrase-layers", "1", "--no-progress",
        "--measures", "c_v,u_mass",
    ]  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(topics_app, args)
    assert first.exit_code == 0, first.output
    (run,) = (p for p in (corpus.path / "topics").iterdir() if p.suffix != ".lock")
    manifest = json.loads((run / "manifest.json").read_text())
    for name in (
        "topics.csv",
        "document_topics.parquet",
        "topic_words.parquet",
        "k_selection.png",
        "frame_packages.csv",
        "model/manifest.json",
    ):
        assert name in manifest["outputs"], name
    shares = pd.read_parquet(run / "document_topics.parquet")
    assert len(shares) == corpus.counts["kept"]
    assert manifest["chosen_k"] in (2, 3) and manifest["seeds"] == [0, 1]
    assert "time" not in json.dumps(manifest).lower()
    before = {p.name: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    second = runner.invoke(topics_app, args)
    assert second.exit_code == 0, second.output
    after = {p.name: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    assert before == after


def test_fit_explains_missing_k(tmp_path):
    corpus = write_synthetic_corpus(tmp_path / "store", n_articles=20, seed=2)
    result = CliRunner().invoke(topics_app, ["fit", str(corpus.path), "--no-progress"])
    assert result.exit_code != 0
    assert "give --k, or --grid" in result.output


def test_figures_render(tmp_path):
    corpus = write_synthetic_corpus(tmp_path / "store", n_articles=40, seed=4)
    params = {"no_below": 2, "phrase_layers": 0, "passes": 1}
    grid = select_k(corpus, [2, 3], seeds=[0, 1], topn=5, measures=["c_v"], **params)
    model = TopicModel(k=3, **params).fit(corpus)
    vocabulary = [model.dictionary_[i] for i in range(len(model.dictionary_))]
    words = top_word_table(model.topic_word_, vocabulary, n=6)
    shares = model.document_topics()
    articles = corpus.articles(columns=["doc_id", "outlet", "published"])
    figures = {
        "k": plot_k_selection(grid),
        "words": plot_top_words(words, n=6),
        "outlet": plot_topic_prevalence(topic_prevalence(shares, articles)),
        "period": plot_topic_prevalence(
            topic_prevalence(shares, articles, by=(), period="Q")
        ),
    }
    for name, figure in figures.items():
        (png,) = save_figure(figure, tmp_path / name, formats=("png",))
        assert png.stat().st_size > 5_000
