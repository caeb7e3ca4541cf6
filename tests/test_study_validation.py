"""The study's ``[validation]`` section: config checks and a tiny study.

The tiny study runs on the synthetic corpus of ``test_validation_cli`` (a
card in a temporary registry); its gold is a sample sheet coded by a
simulated coder, so the run takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_validation_cli import (
    CORPUS,
    code_like_the_detector,
    draw,
    register_corpus,
)

from framing.study import StudyConfigError, parse_study

STUDY = f"""\
[study]
name = "tiny-validation"
seed = 7
output = "out"

[corpora]
names = ["{CORPUS}"]

[[events]]
date = "2024-03-15"
label = "midpoint"

[naming]
frames = ["war", "special-military-operation"]
voices = ["own"]
freq = "W"
min_docs = 1

[statistics]
presence = []
rates = []
fightin_words = false

[figures]
formats = ["png"]
"""

VALIDATION = """
[validation]
gold = "sheet.csv"
split = "all"
correct = true
n_boot = 200
min_gold = 5
"""

MINIMAL = {
    "study": {"name": "t"},
    "corpora": {"names": ["us-gov-2022"]},
    "events": [{"date": "2022-02-24", "label": "invasion"}],
    "naming": {"frames": ["invasion"]},
}


def with_validation(folder: Path, **settings: object) -> dict:
    return {**MINIMAL, "validation": settings}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "[validation] gold: is required"),
        ({"gold": "nope.csv"}, "[validation] gold: no file"),
        (
            {"gold": "gold.csv", "split": "train"},
            "[validation] split: 'train' is not allowed; allowed values are 'all'",
        ),
        ({"gold": "gold.csv", "n_boot": "many"}, "[validation] n_boot: must be an"),
        ({"gold": "gold.csv", "correct": 1}, "[validation] correct: must be true or"),
        ({"gold": "gold.csv", "min_gold": 0}, "[validation] min_gold: 0 must be a"),
        ({"gold": "gold.csv", "extra": 1}, "[validation] extra: unknown key"),
        ({"gold": "bad.csv"}, "a gold file needs the column(s)"),
        ({"gold": []}, "[validation] gold: must be a file name or a list"),
        ({"gold": ["gold.csv", "nope.csv"]}, "[validation] gold: no file"),
        (
            {"gold": ["gold.csv", "gold.csv"], "key": ["gold.key.csv"]},
            "[validation] key: a list of key files needs one file name per gold",
        ),
        ({"gold": "gold.csv", "key": "nope.key.csv"}, "[validation] key: no file"),
    ],
)
def test_invalid_validation_settings_are_reported(tmp_path, settings, expected):
    (tmp_path / "gold.csv").write_text(
        "item,doc_id,start,end,frame,referent,voice\ng1,a,0,3,war,event,own\n",
        encoding="utf-8",
    )
    (tmp_path / "bad.csv").write_text("item,doc_id\n", encoding="utf-8")
    with pytest.raises(StudyConfigError) as caught:
        parse_study(with_validation(tmp_path, **settings), tmp_path / "s.toml")
    assert expected in str(caught.value)


def test_validation_defaults_and_absence(tmp_path):
    (tmp_path / "gold.csv").write_text(
        "item,doc_id,start,end,frame,referent,voice\ng1,a,0,3,war,event,own\n",
        encoding="utf-8",
    )
    study = parse_study(with_validation(tmp_path, gold="gold.csv"), tmp_path / "s.toml")
    assert study.validation == {
        "enabled": True,
        "gold": "gold.csv",
        "key": None,
        "split": "all",
        "correct": True,
        "n_boot": 1000,
        "min_gold": 30,
    }
    assert parse_study(MINIMAL, "s.toml").validation == {"enabled": False}
    both = parse_study(
        with_validation(tmp_path, gold=["gold.csv", "gold.csv"]), tmp_path / "s.toml"
    )
    assert both.validation["gold"] == ["gold.csv", "gold.csv"]


@pytest.fixture()
def tiny_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    register_corpus(tmp_path)
    monkeypatch.setenv("FRAMING_REGISTRY", str(tmp_path / "registry"))
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "study"
    folder.mkdir()
    sheet = draw(folder)
    table = code_like_the_detector(sheet)
    # One sentence without a detected mention names the war: a miss.
    quiet = table.index[table["kind"] == "no-mention"][0]
    table.loc[quiet, ["code_referent", "code_voice", "code_frame"]] = [
        "event",
        "own",
        "war",
    ]
    table.to_csv(sheet, index=False)
    return folder


def test_a_study_with_validation_writes_scores_and_corrected_shares(tiny_study):
    from framing.study import load_study, run_study

    path = tiny_study / "tiny.toml"
    path.write_text(STUDY + VALIDATION, encoding="utf-8")
    run = run_study(load_study(path))
    names = [stage.name for stage in run.stages]
    assert "validation" in names
    tables = tiny_study / "out" / "tables"
    scores = pd.read_csv(tables / "validation.csv")
    assert {"frame", "precision", "recall", "miss_rate", "voice_accuracy"} <= set(
        scores.columns
    )
    overall = scores.set_index("frame").loc["all"]
    assert 0 < overall["miss_rate"] < 1
    corrected = pd.read_csv(tables / "naming-corrected.csv")
    assert {
        "share",
        "share_low",
        "corrected",
        "corrected_low",
        "corrected_high",
    } <= set(corrected.columns)
    assert set(corrected["period"]) == {"before", "after"}
    assert (tables / "naming-corrected.tex").is_file()
    macros = (tables / "macros.tex").read_text(encoding="utf-8")
    assert "\\validationAllMissRate}" in macros
    assert "\\correctedAlpha" in macros
    # Rerun: every stage from the cache, the same outputs.
    again = run_study(load_study(path))
    assert all(stage.cached for stage in again.stages)
    # Without the section the stage is skipped, not an error.
    from framing.study.runner import _Runner

    path.write_text(STUDY, encoding="utf-8")
    plain = _Runner(load_study(path), force=False, progress=False, report=print)
    assert plain.validation({}, {}, again.stages[0]) is None
    assert plain.stages == []


def test_each_gold_file_may_name_its_own_key():
    from framing.study.config import validation_keys

    assert validation_keys({"key": None}, 2) == [None, None]
    assert validation_keys({"key": "k.csv"}, 2) == ["k.csv", "k.csv"]
    assert validation_keys({"key": ["a.csv", "b.csv"]}, 2) == ["a.csv", "b.csv"]
