"""Subsets: date windows, outlet filters and groups, D/W/M/Q/Y periods,
several events and ITS designs in a study, and the DuckDB views of a corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import require_real_corpus
from typer.testing import CliRunner

from framing.cli import app
from framing.frames.run import detect_corpus
from framing.store import CorpusQueryError
from framing.study import StudyConfigError, load_study, parse_study, run_study
from framing.subsets import (
    FREQUENCIES,
    Subset,
    SubsetError,
    check_freq,
    subset_articles,
    subset_feature_table,
    subset_mentions,
)
from framing.synthetic import write_synthetic_corpus

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "studies" / "war-naming.toml"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    corpus = write_synthetic_corpus(
        tmp_path_factory.mktemp("subsets"), n_articles=400, seed=13
    )
    detect_corpus(corpus)
    return corpus


def _all(corpus) -> pd.DataFrame:
    return corpus.articles(columns=["doc_id", "outlet", "published"])


# --- each filter against a pandas filter of the whole table ------------------


@pytest.mark.parametrize(
    ("subset", "keep"),
    [
        (
            Subset(start="2022-01-01"),
            lambda d: d["published"] >= pd.Timestamp("2022-01-01", tz="UTC"),
        ),
        (
            Subset(end="2022-01-01"),
            lambda d: d["published"] < pd.Timestamp("2022-01-01", tz="UTC"),
        ),
        (
            Subset(start="2021-12-01", end="2022-03-01"),
            lambda d: (
                (d["published"] >= pd.Timestamp("2021-12-01", tz="UTC"))
                & (d["published"] < pd.Timestamp("2022-03-01", tz="UTC"))
            ),
        ),
        (
            Subset(outlets=["synthetic-outlet-1", "synthetic-outlet-3"]),
            lambda d: d["outlet"].isin(["synthetic-outlet-1", "synthetic-outlet-3"]),
        ),
        (
            Subset(exclude_outlets=["synthetic-outlet-2"]),
            lambda d: d["outlet"] != "synthetic-outlet-2",
        ),
        (
            Subset(start="2022-02-24T12:30", exclude_outlets=["synthetic-outlet-4"]),
            lambda d: (
                (d["published"] >= pd.Timestamp("2022-02-24 12:30", tz="UTC"))
                & (d["outlet"] != "synthetic-outlet-4")
            ),
        ),
    ],
)
def test_each_filter_agrees_with_pandas_in_sql_arrow_and_memory(
    synthetic, subset, keep
):
    full = _all(synthetic)
    expected = set(full.loc[keep(full), "doc_id"])
    assert 0 < len(expected) < len(full)
    by_sql = synthetic.sql("SELECT doc_id FROM articles", subset=subset)
    by_arrow = subset_articles(synthetic, subset, columns=["doc_id"])
    in_memory = subset.apply(full)
    assert set(by_sql["doc_id"]) == expected
    assert set(by_arrow["doc_id"]) == expected
    assert set(in_memory["doc_id"]) == expected
    features = subset_feature_table(synthetic, subset)
    assert set(features["doc_id"]) == expected
    # Same order as the stored features (that of the articles).
    stored = synthetic.path / "frames" / "war-naming" / "features.parquet"
    order = pd.read_parquet(stored, columns=["doc_id"])["doc_id"]
    assert features["doc_id"].tolist() == [d for d in order if d in expected]
    mentions = subset_mentions(synthetic, subset)
    every = pd.read_parquet(synthetic.path / "frames/war-naming/mentions.parquet")
    assert len(mentions) == int(every["doc_id"].isin(expected).sum())
    assert set(mentions["doc_id"]) <= expected


def test_groups_relabel_outlets_as_sources(synthetic):
    groups = {"pair": ["synthetic-outlet-1", "synthetic-outlet-2"]}
    subset = Subset(groups=groups)
    table = synthetic.sql(
        "SELECT source, count(*) AS n FROM articles GROUP BY source", subset=subset
    ).set_index("source")["n"]
    full = _all(synthetic)
    counts = full["outlet"].value_counts()
    assert table["pair"] == counts["synthetic-outlet-1"] + counts["synthetic-outlet-2"]
    assert table["synthetic-outlet-3"] == counts["synthetic-outlet-3"]
    summary = synthetic.summary(subset)
    assert "source" in summary.columns
    assert summary.set_index("source").loc["pair", "documents"] == table["pair"]
    assert summary["documents"].sum() == len(full)
    features = subset_feature_table(synthetic, subset)
    assert set(features["source"]) == set(table.index)


def test_subset_errors_name_the_problem():
    with pytest.raises(SubsetError, match="outlet 'a' is in two groups"):
        Subset(groups={"x": ["a"], "y": ["a", "b"]})
    with pytest.raises(SubsetError, match=r"start: '24/02/2022' is not a date"):
        Subset(start="24/02/2022")
    with pytest.raises(SubsetError, match="is not after start"):
        Subset(start="2022-03-01", end="2022-03-01")
    with pytest.raises(SubsetError, match="also kept by outlets"):
        Subset(outlets=["a"], exclude_outlets=["a"])


def test_an_unknown_outlet_is_named_with_the_outlets_that_exist(synthetic):
    with pytest.raises(SubsetError) as caught:
        subset_articles(synthetic, Subset(groups={"g": ["synthetic-outlet-1", "rt"]}))
    message = str(caught.value)
    assert "no outlet 'rt'" in message
    assert "'synthetic-outlet-1', 'synthetic-outlet-2'" in message


def test_day_precision_dates_compare_by_calendar_day():
    frame = pd.DataFrame(
        {
            "outlet": ["a"] * 4,
            "published": pd.to_datetime(
                ["2022-02-24", "2022-02-24 09:00", "2022-02-25", "2022-02-25 03:00"],
                utc=True,
                format="ISO8601",
            ),
            "date_precision": ["day", "time", "day", "time"],
        }
    )
    subset = Subset(start="2022-02-24T06:00", end="2022-02-25T06:00")
    kept = subset.apply(frame)
    # The day-only item of the 24th is on the start's day (kept); that of the
    # 25th is on the end's day (the end is exclusive: left out).
    assert kept["published"].dt.strftime("%d %H").tolist() == [
        "24 00",
        "24 09",
        "25 03",
    ]
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    arrow = ds.dataset(table).to_table(filter=subset.expression(frame.columns))
    assert arrow.num_rows == 3
    import duckdb

    con = duckdb.connect()
    con.register("t", frame)
    n = con.execute(f"SELECT count(*) FROM t WHERE {subset.sql_where(frame.columns)}")
    assert n.fetchone()[0] == 3


# --- periods: D/W/M/Q/Y everywhere --------------------------------------------


def test_freq_codes():
    assert FREQUENCIES == ("D", "W", "M", "Q", "Y")
    assert check_freq("y") == "Y"
    with pytest.raises(SubsetError, match="Q \\(quarters\\)"):
        check_freq("fortnight")


@pytest.mark.parametrize(("freq", "n_periods"), [("Q", 12), ("Y", 3), ("M", 36)])
def test_quarters_and_years_in_series_naming_and_its(freq, n_periods):
    from framing.plots.naming import plot_naming_over_time
    from framing.plots.stats import plot_its
    from framing.stats.naming import naming_shares
    from framing.stats.timeseries import fit_its, time_series

    rng = np.random.default_rng(4)
    days = pd.date_range("2020-01-01", "2022-12-31", freq="D", tz="UTC")
    data = pd.DataFrame(
        {
            "outlet": rng.choice(["a", "b"], len(days)),
            "published": days,
            "n_words": 100,
            "n__war__own": rng.poisson(np.where(days >= "2021-07-01", 2.0, 0.5)),
        }
    )
    series = time_series(data, count="n__war__own", by=None, freq=freq)
    assert len(series) == n_periods
    assert series["n_docs"].sum() == len(days)
    shares = naming_shares(data, frames=["war"], voices=["own"], freq=freq)
    assert shares["period"].nunique() == n_periods
    import matplotlib.pyplot as plt

    fig = plot_naming_over_time(shares, frame_labels={"war": "War"}, min_docs=1)
    plt.close(fig)
    if n_periods >= 6:
        fitted = fit_its(series, event="2021-07-01", errors="hac")
        level = fitted["its"].table.set_index("term").loc["level change", "estimate"]
        assert level > 0
        plt.close(plot_its(fitted))


# --- DuckDB views --------------------------------------------------------------


def test_views_of_mentions_features_duplicates_rejects(synthetic, tmp_path):
    views = synthetic.sql(
        "SELECT table_name FROM information_schema.tables ORDER BY 1"
    )["table_name"].tolist()
    for name in (
        "articles",
        "duplicates",
        "rejects",
        "all_articles",
        "mentions",
        "features",
        "mentions_war_naming",
        "features_war_naming",
    ):
        assert name in views
    n = synthetic.sql("SELECT count(*) AS n FROM mentions")["n"][0]
    stored = pd.read_parquet(synthetic.path / "frames/war-naming/mentions.parquet")
    assert int(n) == len(stored)
    joined = synthetic.sql(
        "SELECT a.outlet, sum(f.n_words) AS words FROM features f "
        "JOIN articles a USING (doc_id) GROUP BY 1"
    )
    words = synthetic.articles(columns=["n_words"])["n_words"].sum()
    assert joined["words"].sum() == words
    assert (
        synthetic.sql("SELECT count(*) AS n FROM duplicates")["n"][0]
        == (synthetic.counts["duplicates"])
    )
    fresh = write_synthetic_corpus(tmp_path, n_articles=20, seed=1)
    with pytest.raises(CorpusQueryError, match="run `framing frames detect synthetic`"):
        fresh.sql("SELECT * FROM features_war_naming")


# --- the CLI ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def telegram(session_cache):
    require_real_corpus("ru-telegram-2024")
    from framing.datasets.build import build_corpus

    # Module fixtures run before the per-test cache isolation: isolate here too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FRAMING_CACHE_DIR", str(session_cache))
        corpus = build_corpus("ru-telegram-2024")
        detect_corpus(corpus)
    return corpus


@pytest.mark.realdata
def test_real_outlet_subset_and_window_agree_with_pandas(telegram):
    full = telegram.articles(columns=["doc_id", "outlet", "published"])
    subset = Subset(
        start="2024-11-01", end="2024-11-15", outlets=["mash", "topor-live", "112"]
    )
    start, end = (
        pd.Timestamp("2024-11-01", tz="UTC"),
        pd.Timestamp("2024-11-15", tz="UTC"),
    )
    mask = (
        full["outlet"].isin(["mash", "topor-live", "112"])
        & (full["published"] >= start)
        & (full["published"] < end)
    )
    expected = full[mask].groupby("outlet").size()
    got = telegram.sql(
        "SELECT outlet, count(*) AS n FROM articles GROUP BY outlet", subset=subset
    ).set_index("outlet")["n"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    assert expected.sum() > 100
    features = subset_feature_table(telegram, subset)
    assert len(features) == expected.sum()
    grouped = Subset(
        groups={"Moscow": ["moskva-live", "moskva-s-ogonkom", "novosti-moskvy"]}
    )
    summary = telegram.summary(grouped).set_index("source")
    moscow = full["outlet"].isin(["moskva-live", "moskva-s-ogonkom", "novosti-moskvy"])
    assert summary.loc["Moscow", "documents"] == int(moscow.sum())


@pytest.mark.realdata
def test_cli_subset_options(telegram, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "corpus",
            "summary",
            "ru-telegram-2024",
            "--outlet",
            "mash",
            "--outlet",
            "112",
            "--start",
            "2024-11-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "mash" in result.output and "newsach" not in result.output
    result = runner.invoke(
        app,
        [
            "corpus",
            "summary",
            "ru-telegram-2024",
            "--group",
            "Moscow=moskva-live,novosti-moskvy",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Per-source summary" in result.output and "Moscow" in result.output
    out = tmp_path / "q.csv"
    result = runner.invoke(
        app,
        [
            "corpus",
            "sql",
            "ru-telegram-2024",
            "SELECT a.outlet, count(*) AS n FROM mentions m "
            "JOIN articles a USING (doc_id) GROUP BY 1 ORDER BY 1",
            "--exclude-outlet",
            "mash",
            "--end",
            "2024-12-01",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert "mash" not in set(table["outlet"])
    full = telegram.articles(columns=["doc_id", "outlet", "published"])
    mentions = pd.read_parquet(telegram.path / "frames/war-naming/mentions.parquet")
    keep = full[
        (full["outlet"] != "mash")
        & (full["published"] < pd.Timestamp("2024-12-01", tz="UTC"))
    ]
    assert table["n"].sum() == int(mentions["doc_id"].isin(keep["doc_id"]).sum())
    for bad, message in [
        (["--outlet", "rt"], "no outlet 'rt'; the outlets are '112'"),
        (["--group", "nameless"], "write NAME=outlet1,outlet2"),
        (["--start", "soon"], "start: 'soon' is not a date"),
    ]:
        result = runner.invoke(
            app, ["corpus", "sql", "ru-telegram-2024", "SELECT 1", *bad]
        )
        assert result.exit_code == 1 and message in result.output, result.output
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["corpus", "sql", "ru-telegram-2024", "SELEC 1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    result = runner.invoke(
        app,
        [
            "frames",
            "kwic",
            "ru-telegram-2024",
            "--outlet",
            "mash",
            "--limit",
            "3",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "stats",
            "its",
            "ru-telegram-2024",
            "--frame",
            "special-military-operation",
            "--event",
            "2024-11-01",
            "--freq",
            "D",
            "--start",
            "2024-10-01",
            "--errors",
            "hac",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "level change" in result.output
    result = runner.invoke(
        app,
        [
            "stats",
            "presence",
            "ru-telegram-2024",
            "--frame",
            "special-military-operation",
            "--event",
            "2024-11-01",
            "--group",
            "Moscow=moskva-live,moskva-s-ogonkom,novosti-moskvy",
            "--group",
            "News=newsach,mash,112,ranshe-vseh,kibertopor,topor-live",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Moscow" in result.output and "moskva-live" not in result.output
    result = runner.invoke(
        app,
        [
            "stats",
            "words",
            "ru-telegram-2024",
            "--by",
            "source",
            "--group",
            "Moscow=moskva-live,moskva-s-ogonkom,novosti-moskvy",
            "--start",
            "2024-11-01",
            "--top",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Moscow" in result.output and "newsach" in result.output
    result = runner.invoke(
        app,
        ["frames", "detect", "ru-telegram-2024", "--no-progress", "--outlet", "mash"],
    )
    assert result.exit_code == 0, result.output
    assert "war-naming, subset" in result.output
    mash = telegram.sql(
        "SELECT count(*) AS n FROM mentions m JOIN articles a USING (doc_id) "
        "WHERE m.referent = 'event' AND m.frame = 'special-military-operation' "
        "AND m.voice = 'own'",
        subset=Subset(outlets=["mash"]),
    )["n"][0]
    row = next(
        line for line in result.output.splitlines() if "special-military-op" in line
    )
    assert f"{int(mash):,}" in row.split("│")[2]


# --- the study file --------------------------------------------------------------

MINIMAL = {
    "study": {"name": "t"},
    "corpora": {"names": ["us-gov-2022"]},
    "events": [{"date": "2022-02-24", "label": "invasion"}],
    "naming": {"frames": ["invasion"]},
}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"subset": {"begin": "2022-01-01"}}, "[subset] begin: unknown key"),
        ({"subset": {"start": "1/1/2022"}}, "[subset] start: '1/1/2022' is not a date"),
        (
            {"subset": {"start": "2022-03-01", "end": "2022-01-01"}},
            "[subset] end: '2022-01-01' must be after start",
        ),
        (
            {"subset": {"outlets": ["a"], "exclude_outlets": ["a"]}},
            "[subset] exclude_outlets: ['a'] are also in outlets",
        ),
        (
            {"statistics": {"events": ["2022-02-24", "sometime"]}},
            "[statistics] events: 'sometime' is not a date",
        ),
        (
            {"statistics": {"events": ["2022-09-21"], "event": "2022-02-24"}},
            "[statistics] event: '2022-02-24' is not in [statistics] events",
        ),
        (
            {
                "statistics": {
                    "its": [
                        {
                            "source": "white-house",
                            "frame": "invasion",
                            "event": "2022-02-24",
                            "start": "2022-03-01",
                        }
                    ]
                }
            },
            "[[statistics.its]] #1 start: '2022-03-01' leaves the event",
        ),
        (
            {"statistics": {"its": [{"source": "x", "frame": "invasion", "at": 1}]}},
            "[[statistics.its]] #1 at: unknown key; allowed: source, frame, voice, "
            "errors, estimation, freq, event, start, end",
        ),
        ({"naming": {"frames": ["invasion"], "freq": "H"}}, "'D', 'W', 'M', 'Q', 'Y'"),
    ],
)
def test_new_study_keys_are_validated(extra, expected):
    data = {**MINIMAL, **extra}
    with pytest.raises(StudyConfigError) as caught:
        parse_study(data, "s.toml")
    assert expected in str(caught.value)


def test_quarters_years_and_events_parse():
    data = {
        **MINIMAL,
        "naming": {"frames": ["invasion"], "freq": "Q"},
        "subset": {"start": "2022-01-01", "exclude_outlets": ["us-treasury"]},
        "statistics": {
            "events": ["2022-02-24", "2022-09-21"],
            "its": [
                {"source": "white-house", "frame": "invasion", "freq": "Y"},
                {
                    "source": "white-house",
                    "frame": "invasion",
                    "event": "2022-09-21",
                    "start": "2022-06-01",
                },
            ],
        },
    }
    study = parse_study(data, "s.toml")
    assert study.freq == "Q" and study.event == "2022-02-24"
    assert study.its_events == ("2022-02-24", "2022-09-21")
    assert study.its[1].event == "2022-09-21"
    settings = study.as_dict()
    assert settings["subset"] == {
        "start": "2022-01-01",
        "exclude_outlets": ["us-treasury"],
    }
    assert settings["its"][0] == {
        "source": "white-house",
        "frame": "invasion",
        "voice": "own",
        "errors": "ar1",
        "freq": "Y",
    }


def test_a_study_without_the_new_keys_records_the_same_settings():
    # The manifest records as_dict(): no new key may appear in it (byte-identical
    # outputs of studies written before subsets existed).
    settings = load_study(STUDY).as_dict()
    assert "subset" not in settings and "events_stats" not in settings
    # Only the estimation the shipped study chose (REML) is added.
    assert all(
        set(spec) - {"estimation"} == {"source", "frame", "voice", "errors", "freq"}
        for spec in settings["its"]
    )


TELEGRAM_STUDY = """\
[study]
name = "subset-study"
seed = 1
output = "out"

[corpora]
names = ["ru-telegram-2024"]

[subset]
start = "2024-10-01"
exclude_outlets = ["novosti-moskvy"]

[sources]
"Moscow" = ["moskva-live", "moskva-s-ogonkom"]
"News" = ["newsach", "mash", "112", "ranshe-vseh", "kibertopor", "topor-live"]

[[events]]
date = "2024-11-01"
label = "November"

[naming]
frames = ["special-military-operation", "war"]
voices = ["own"]
freq = "Q"
min_docs = 5

[statistics]
events = ["2024-11-01", "2024-11-15"]
presence = []
rates = []
fightin_words = false

[[statistics.its]]
source = "News"
frame = "special-military-operation"
freq = "D"
errors = "hac"

[[statistics.its]]
source = "News"
frame = "conflict"
voice = "reported"
freq = "D"
errors = "hac"
event = "2024-11-08"
start = "2024-10-15"
end = "2024-12-01"

[figures]
formats = ["png"]

[tables]
formats = ["csv"]
"""


@pytest.mark.realdata
def test_a_study_with_a_subset_and_several_events(telegram, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(TELEGRAM_STUDY, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--check", str(path)])
    assert result.exit_code == 0, result.output
    assert "subset: dates [2024-10-01, last)" in result.output
    assert "subset: exclude_outlets novosti-moskvy" in result.output
    assert "events: 2024-11-01, 2024-11-15" in result.output
    assert "at 2024-11-08, window [2024-10-15, 2024-12-01)" in result.output
    run = run_study(path)
    tables = {p.name for p in run.tables}
    for name in (
        "its-news-special-military-operation-own-2024-11-01.csv",
        "its-news-special-military-operation-own-2024-11-15.csv",
        "its-news-conflict-reported-2024-11-08-from-2024-10-15-to-2024-12-01.csv",
    ):
        assert name in tables
    features = pd.read_parquet(
        next(s.path for s in run.stages if s.name == "features") / "features.parquet"
    )
    full = telegram.articles(columns=["doc_id", "outlet", "published"])
    keep = (full["outlet"] != "novosti-moskvy") & (
        full["published"] >= pd.Timestamp("2024-10-01", tz="UTC")
    )
    assert len(features) == int(keep.sum())
    assert set(features["source"]) == {"Moscow", "News"}
    naming = pd.read_csv(tmp_path / "out" / "tables" / "naming-over-time.csv")
    assert sorted(pd.to_datetime(naming["period"]).dt.month.unique()) == [10]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["settings"]["subset"]["exclude_outlets"] == ["novosti-moskvy"]
