"""The study runner: config validation, caching, byte-identical reruns."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import require_real_corpus
from typer.testing import CliRunner

from framing.cli import app
from framing.stats.naming import naming_shares, voice_composition
from framing.study import StudyConfigError, load_study, parse_study

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "studies" / "war-naming.toml"

MINIMAL = {
    "study": {"name": "t"},
    "corpora": {"names": ["us-gov-2022"]},
    "events": [{"date": "2022-02-24", "label": "invasion"}],
    "naming": {"frames": ["invasion"]},
}


def _with(**sections):
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in MINIMAL.items()}
    for name, value in sections.items():
        data[name] = (
            {**data.get(name, {}), **value} if isinstance(value, dict) else value
        )
    return data


# --- validation: every problem, with key and allowed values, before any work --


def test_the_shipped_study_is_valid():
    study = load_study(STUDY)
    assert study.corpora == ("kremlin-zelenskyy-2022", "us-gov-2022")
    assert study.output == STUDY.parent / "out" / "war-naming"
    assert study.frame_labels["invasion"] == "Invasion"  # from the lexicon


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**MINIMAL, "extra": {}}, "[extra]: unknown section; allowed sections are"),
        (
            _with(naming={"frame": ["war"]}),
            "[naming] frame: unknown key; allowed keys are lexicon, frames",
        ),
        (
            _with(naming={"freq": "fortnight"}),
            "[naming] freq: 'fortnight' is not allowed; allowed values are 'D', 'W', "
            "'M', 'Q', 'Y'",
        ),
        (
            _with(naming={"voices": ["own", "hearsay"]}),
            "[naming] voices: ['hearsay'] not allowed; allowed values are 'own'",
        ),
        (_with(study={"seed": True}), "[study] seed: must be an integer, got true"),
        (
            _with(corpora={"names": ["nope"]}),
            "'nope' is not a registered corpus; registered: ",
        ),
        (
            _with(naming={"frames": ["peace"]}),
            "[naming] frames: ['peace'] not in the lexicon; its frames are invasion",
        ),
        (
            _with(events=[{"date": "24/02/2022", "label": "x"}]),
            "[[events]] #1 date: '24/02/2022' is not a date; write YYYY-MM-DD",
        ),
        (
            _with(sources={"A": ["white-house"], "B": ["white-house"]}),
            "outlet 'white-house' is already in source 'A'",
        ),
        (
            _with(
                sources={"A": ["white-house"]},
                statistics={"its": [{"source": "B", "frame": "invasion"}]},
            ),
            "[[statistics.its]] #1 source: 'B' is not in [sources]; sources are A",
        ),
        (
            _with(naming={"ci_level": 95.0}),
            "[naming] ci_level: 95.0 must lie strictly between 0 and 1",
        ),
        (
            _with(topics={"corpus": "kremlin-zelenskyy-2022"}),
            "[topics] corpus: 'kremlin-zelenskyy-2022' is not allowed; allowed "
            "values are 'us-gov-2022'",
        ),
        (
            _with(classifier={"positive": ["war"], "negative": ["war"]}),
            "[classifier] negative: ['war'] are also positive",
        ),
        (
            _with(figures={"formats": ["pdf", "jpg"]}),
            "[figures] formats: ['jpg'] not allowed; allowed values are 'pdf'",
        ),
    ],
)
def test_invalid_config_names_key_problem_and_allowed_values(data, expected):
    with pytest.raises(StudyConfigError) as caught:
        parse_study(data, "s.toml")
    assert expected in str(caught.value)


def test_topics_may_bound_the_collocation_counts():
    study = parse_study(
        _with(topics={"corpus": "us-gov-2022", "phrase_max_vocab": 5_000_000}),
        "s.toml",
    )
    assert study.topics["phrase_max_vocab"] == 5_000_000
    plain = parse_study(_with(topics={"corpus": "us-gov-2022"}), "s.toml")
    assert plain.topics["phrase_max_vocab"] is None  # exact counts
    with pytest.raises(StudyConfigError, match=r"\[topics\] phrase_max_vocab"):
        parse_study(
            _with(topics={"corpus": "us-gov-2022", "phrase_max_vocab": 0}), "s.toml"
        )


def test_its_estimation_is_ml_or_reml_for_ar1_errors():
    design = {"source": "Kremlin", "frame": "war"}
    study = parse_study(
        _with(statistics={"its": [{**design, "estimation": "reml"}]}), "s.toml"
    )
    assert study.its[0].estimation == "reml"
    assert study.its[0].settings()["estimation"] == "reml"
    # The default is left out of the records, as before the key existed.
    plain = parse_study(_with(statistics={"its": [design]}), "s.toml")
    assert "estimation" not in plain.its[0].settings()
    for wrong, message in (
        ({"estimation": "bayes"}, "estimation: 'bayes' is not allowed"),
        ({"estimation": "reml", "errors": "hac"}, r"REML applies to AR\(1\) errors"),
    ):
        with pytest.raises(StudyConfigError, match=message):
            parse_study(_with(statistics={"its": [{**design, **wrong}]}), "s.toml")


def test_all_problems_are_reported_at_once():
    data = _with(naming={"freq": "X", "ci_level": 2.0}, study={"seed": "x"})
    with pytest.raises(StudyConfigError) as caught:
        parse_study(data, "s.toml")
    assert len(caught.value.problems) == 3
    assert "3 problem(s)" in str(caught.value)


def test_cli_rejects_an_invalid_study_before_any_work(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(cache))
    bad = tmp_path / "bad.toml"
    bad.write_text(
        STUDY.read_text(encoding="utf-8").replace('freq = "M"', 'freq = "fortnight"'),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["run", str(bad)])
    assert result.exit_code == 1
    assert "[naming] freq: 'fortnight' is not allowed" in result.output
    assert "Traceback" not in result.output
    assert not cache.exists()  # nothing was built or cached


def test_cli_check_only_validates(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, ["run", "--check", str(STUDY)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert not (tmp_path / "cache").exists()


def test_unreadable_toml_is_reported(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text("[study\nname = 1\n", encoding="utf-8")
    with pytest.raises(StudyConfigError, match="not valid TOML"):
        load_study(bad)


# --- naming tables: checked against hand-computed values ---------------------


def test_naming_shares_wilson_interval_matches_the_formula():
    data = pd.DataFrame(
        {
            "outlet": ["a"] * 10,
            "published": pd.to_datetime(["2022-01-03"] * 10),
            "n__war__own": [2, 1, 0, 0, 0, 1, 0, 0, 0, 0],
        }
    )
    row = naming_shares(data, frames=["war"], freq="M").iloc[0]
    k, n, z = 3, 10, 1.959963984540054
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert row["n_present"] == 3 and row["n_docs"] == 10
    assert row["ci_low"] == pytest.approx(centre - half, abs=1e-12)
    assert row["ci_high"] == pytest.approx(centre + half, abs=1e-12)


def test_naming_shares_keeps_empty_periods():
    data = pd.DataFrame(
        {
            "outlet": ["a", "a"],
            "published": pd.to_datetime(["2022-01-03", "2022-03-03"]),
            "n__war__own": [1, 0],
        }
    )
    table = naming_shares(data, frames=["war"], freq="M")
    assert table["n_docs"].tolist() == [1, 0, 1]
    assert np.isnan(table["share"].iloc[1])


def test_voice_composition_shares_sum_to_one_per_group_and_frame():
    data = pd.DataFrame(
        {
            "outlet": ["a", "a", "b"],
            "n__war__own": [3, 1, 0],
            "n__war__quoted": [0, 4, 2],
            "n__war__scare": [0, 0, 0],
        }
    )
    table = voice_composition(data, frames=["war"], voices=["own", "quoted", "scare"])
    sums = table.groupby("group")["share"].sum()
    assert sums.tolist() == pytest.approx([1.0, 1.0])
    b = table[table["group"] == "b"].set_index("voice")
    assert b.loc["quoted", "mentions"] == 2 and b.loc["own", "share"] == 0.0


# --- real data: the war-naming study ----------------------------------------


def _study_copy(folder: Path, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "war-naming.toml"
    text = text or STUDY.read_text(encoding="utf-8")
    # Paths in a study file are relative to it: the copy points its
    # [validation] gold files back at the repository's.
    text = text.replace('"../framing/', f'"{ROOT.as_posix()}/framing/')
    path.write_text(text, encoding="utf-8")
    return path


def _run_cli(study: Path, cache: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FRAMING_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONHASHSEED", None)  # each process gets its own hash seed
    command = [sys.executable, "-c", "from framing.cli import app; app()", "run"]
    return subprocess.run(
        [*command, str(study), *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def two_clean_runs(tmp_path_factory):
    for name in ("kremlin-zelenskyy-2022", "us-gov-2022"):
        require_real_corpus(name)
    base = tmp_path_factory.mktemp("study")
    runs = []
    # The second run detects on a local Dask cluster of two workers: where
    # the stages run must not change any output (issue 15).
    for label, options in (
        ("first", ()),
        ("second", ("--compute", "dask", "--workers", "2")),
    ):
        study = _study_copy(base / label)
        result = _run_cli(study, base / f"cache-{label}", *options)
        assert result.returncode == 0, result.stdout + result.stderr
        runs.append((study, base / f"cache-{label}", result.stdout))
    return runs


@pytest.mark.realdata
@pytest.mark.slow
def test_two_clean_runs_give_byte_identical_outputs(two_clean_runs):
    (first, _, _), (second, _, _) = two_clean_runs
    out_a = first.parent / "out" / "war-naming"
    out_b = second.parent / "out" / "war-naming"
    files_a = sorted(p.relative_to(out_a) for p in out_a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(out_b) for p in out_b.rglob("*") if p.is_file())
    assert files_a == files_b
    assert {"figures", "tables"} <= {p.parts[0] for p in files_a}
    different = [
        str(p) for p in files_a if not filecmp.cmp(out_a / p, out_b / p, shallow=False)
    ]
    assert different == []
    manifest = json.loads((out_a / "manifest.json").read_text(encoding="utf-8"))
    # Every output is listed with its sha256, but the manifest itself and the
    # marker that says the runner owns the folder.
    assert set(manifest["outputs"]) == {str(p) for p in files_a} - {
        "manifest.json",
        ".framing-study-output",
    }
    assert manifest["seed"] == 20220224
    assert {i["sha256"] for i in manifest["inputs"]}  # raw inputs pinned
    assert manifest["versions"]["framing"]
    for needed in ("naming-over-time.pdf", "voice-composition.pdf", "rate-ratios.pdf"):
        assert f"figures/{needed}" in manifest["outputs"]
    pdf = (out_a / "figures" / "naming-over-time.pdf").read_bytes()
    assert b"/CreationDate" not in pdf


@pytest.mark.realdata
@pytest.mark.slow
def test_headline_numbers_of_the_study(two_clean_runs):
    study, _, stdout = two_clean_runs[0]
    table = pd.read_csv(study.parent / "out/war-naming/tables/naming-by-period.csv")
    ukraine = table[
        (table["source"] == "Ukrainian presidency") & (table["frame"] == "Invasion")
    ].set_index("period")
    # president.gov.ua calls it an invasion in its own voice after 24 Feb
    # Own-voice "invasion" of this war (referent = event), before 24 Feb.
    assert ukraine.loc["before", "share"] == pytest.approx(4 / 349, abs=1e-9)
    # About a quarter after it (154 of 630 releases since the readout rule
    # moved officials' paraphrases to reported speech).
    assert ukraine.loc["after", "share"] > 0.2
    kremlin = table[
        (table["source"] == "Kremlin") & (table["frame"] == "Special operation")
    ].set_index("period")
    assert kremlin.loc["after", "share"] > 10 * kremlin.loc["before", "share"]
    assert "Ukrainian presidency" in stdout and "figures" in stdout.lower()


@pytest.mark.realdata
@pytest.mark.slow
def test_rerun_is_cached_and_one_setting_reruns_only_its_stages(
    two_clean_runs, monkeypatch
):
    from framing.study import run_study

    study, cache, _ = two_clean_runs[0]
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(cache))
    out = study.parent / "out" / "war-naming"
    cold = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    started = time.perf_counter()
    again = run_study(study)
    assert all(stage.cached for stage in again.stages)
    cached = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A fully cached run writes the same bytes as the cold one, manifest included.
    assert sorted(cached) == sorted(cold)
    assert [str(p) for p in cold if cold[p] != cached[p]] == []
    # "near-instant": no stage ran; the bound only guards against a rerun
    assert time.perf_counter() - started < 60

    changed = _study_copy(
        study.parent,
        study.read_text(encoding="utf-8").replace("min_docs = 5", "min_docs = 3"),
    )
    result = run_study(changed)
    ran = sorted(stage.name for stage in result.stages if not stage.cached)
    assert ran == ["naming"]


@pytest.mark.realdata
def test_an_outlet_outside_every_source_is_an_error(tmp_path, monkeypatch):
    from framing.study import StudyError, run_study

    require_real_corpus("us-gov-2022")
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace(
        'names = ["kremlin-zelenskyy-2022", "us-gov-2022"]', 'names = ["us-gov-2022"]'
    )
    text = text.replace('"us-defense", "us-treasury"]', '"us-defense"]')
    text = text.replace('corpus = "kremlin-zelenskyy-2022"', 'corpus = "us-gov-2022"')
    study = _study_copy(tmp_path, text)
    # Found when the file is read if the store is already built (its outlets
    # are known), else by the runner right after building: before detection.
    with pytest.raises(
        (StudyError, StudyConfigError),
        match=r"'us-treasury' \(us-gov-2022: 61 documents\)",
    ):
        run_study(study)


def test_stage_cache_reuses_and_is_atomic(tmp_path):
    from framing.study.cache import StageCache

    cache = StageCache(tmp_path)
    calls = []

    def produce(folder: Path) -> dict:
        calls.append(1)
        (folder / "out.txt").write_text("x", encoding="utf-8")
        return {"n": 1}

    first = cache.run("s", {"a": 1}, produce)
    second = cache.run("s", {"a": 1}, produce)
    third = cache.run("s", {"a": 2}, produce)
    assert (first.cached, second.cached, third.cached) == (False, True, False)
    assert len(calls) == 2 and second.summary == {"n": 1}

    def failing(folder: Path) -> dict:
        (folder / "half.txt").write_text("x", encoding="utf-8")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.run("t", {}, failing)
    assert not any(p.name.startswith("t-") for p in tmp_path.iterdir())
    shutil.rmtree(tmp_path)
