"""Validation on a researcher's own corpus: sample -> code -> validate.

A tiny synthetic corpus (invented sentences, written to tmp_path and
registered through ``FRAMING_REGISTRY`` and a mirror folder) goes through
``framing frames sample``, a simulated coder fills the blind sheet from
the key file, and ``framing frames validate`` scores it.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.frames.validation import (
    GoldError,
    key_path,
    read_gold,
    validate_mentions,
)

runner = CliRunner()

CORPUS = "tiny-naming"
OUTLETS = ("alpha", "beta")
# Invented sentences: namings in several voices, and sentences that name
# nothing but talk about the front (the no-mention candidates).
NAMINGS = (
    "The war goes on in the east.",
    "Officials said the invasion was planned for months.",
    'He called it a "special military operation" again.',
    "The special military operation entered a new phase.",
    "This is not a war, the spokesman claimed.",
)
QUIET = (
    "Troops moved closer to the river near Kharkiv.",
    "Shelling continued overnight near the front.",
    "The ministry reported new supplies for the troops.",
    "Talks on grain exports resumed on Monday.",
)

CONTEXT_WORDS = r"troops|shelling|front|kharkiv|talks"

CARD = """\
name = "{name}"
title = "Tiny synthetic naming corpus"
description = "Invented sentences written by the tests."
licence = "CC0-1.0"
attribution = "The tests"
citation = "None"
timezone = "UTC"
languages = ["en"]

[dedupe]
near_duplicates = false

[[files]]
name = "docs.csv"
url = "http://127.0.0.1:9/{name}/docs.csv"
sha256 = "{sha256}"
format = "csv"

[files.mapping]
id = "id"
text = "body"
title = "headline"
published = "date"
outlet = "outlet"
"""


def corpus_rows(n: int = 24) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        naming = NAMINGS[i % len(NAMINGS)]
        quiet = [QUIET[(i + k) % len(QUIET)] for k in range(2)]
        body = " ".join([f"Report number {i}.", quiet[0], naming, quiet[1]])
        rows.append(
            {
                "id": f"d{i:03d}",
                "outlet": OUTLETS[i % 2],
                "date": f"2024-03-{1 + i % 28:02d}",
                "headline": f"Item {i}",
                "body": body,
            }
        )
    return rows


def register_corpus(folder: Path, name: str = CORPUS) -> None:
    """Write the CSV into a mirror and its card into a registry folder."""
    mirror = folder / "mirror" / name
    mirror.mkdir(parents=True)
    path = mirror / "docs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["id", "outlet", "date", "headline", "body"]
        )
        writer.writeheader()
        writer.writerows(corpus_rows())
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    registry = folder / "registry"
    registry.mkdir(exist_ok=True)
    (registry / f"{name}.toml").write_text(
        CARD.format(name=name, sha256=sha256), encoding="utf-8"
    )


@pytest.fixture()
def tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    register_corpus(tmp_path)
    monkeypatch.setenv("FRAMING_REGISTRY", str(tmp_path / "registry"))
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def draw(folder: Path, *extra: str) -> Path:
    sheet = folder / "sheet.csv"
    result = runner.invoke(
        app,
        [
            "frames",
            "sample",
            CORPUS,
            "--n",
            "12",
            "--no-mention",
            "6",
            "--seed",
            "3",
            "--out",
            str(sheet),
            "--context-words",
            CONTEXT_WORDS,
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return sheet


def code_like_the_detector(sheet: Path) -> pd.DataFrame:
    """A coder who agrees with the detector everywhere (codes from the key)."""
    table = pd.read_csv(sheet, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    key = pd.read_csv(key_path(sheet), dtype=str, keep_default_na=False)
    return code_like_the_detector_table(table, key)


def code_like_the_detector_table(
    table: pd.DataFrame, key: pd.DataFrame
) -> pd.DataFrame:
    truth = key.fillna("").set_index("unit_id")
    mention = table["kind"] == "mention"
    table["code_referent"] = [
        truth.loc[u, "referent"] if m else "none"
        for u, m in zip(table["unit_id"], mention, strict=True)
    ]
    table["code_voice"] = [
        truth.loc[u, "voice"] if m else "none"
        for u, m in zip(table["unit_id"], mention, strict=True)
    ]
    table["code_frame"] = ""
    return table


def test_the_sheet_is_blind_and_the_key_holds_labels_and_weights(tiny_corpus):
    sheet = draw(tiny_corpus)
    table = pd.read_csv(sheet, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert {"voice", "referent", "cue", "weight", "stratum"}.isdisjoint(table.columns)
    assert {"code_referent", "code_voice", "code_frame", "left", "target"} <= set(
        table.columns
    )
    assert set(table["kind"]) == {"mention", "no-mention"}
    assert (table["kind"] == "no-mention").sum() == 6
    key = pd.read_csv(key_path(sheet), dtype={"unit_id": str})
    assert {"voice", "referent", "weight", "stratum"} <= set(key.columns)
    assert key["unit_id"].tolist() == table["unit_id"].tolist()
    # No-mention units are sentences without a detected mention.
    quiet = table[table["kind"] == "no-mention"]
    assert quiet["target"].isin(QUIET).all()
    # Seeded: the same seed draws the same units.
    (tiny_corpus / "again").mkdir()
    again = draw(tiny_corpus / "again")
    assert pd.read_csv(again, dtype=str)["doc_id"].tolist() == table["doc_id"].tolist()


def test_a_new_round_leaves_out_the_documents_of_earlier_rounds(tiny_corpus):
    first = tiny_corpus / "round1.csv"
    common = ["frames", "sample", CORPUS, "--context-words", CONTEXT_WORDS]
    result = runner.invoke(
        app, [*common, "--n", "10", "--no-mention", "2", "--out", str(first)]
    )
    assert result.exit_code == 0, result.output
    seen = set(pd.read_csv(first, dtype=str)["doc_id"])
    second = tiny_corpus / "round2.csv"
    result = runner.invoke(
        app,
        [*common, "--n", "0", "--no-mention", "6", "--out", str(second)]
        + ["--exclude", str(first)],
    )
    assert result.exit_code == 0, result.output
    assert f"left out {len(seen)} documents" in result.output
    drawn = set(pd.read_csv(second, dtype=str)["doc_id"])
    assert drawn and drawn.isdisjoint(seen)
    # A file without document ids is named, not ignored.
    bad = tiny_corpus / "bad.csv"
    bad.write_text("item,term\n1,war\n", encoding="utf-8")
    result = runner.invoke(
        app, ["frames", "sample", CORPUS, "--out", str(second), "--exclude", str(bad)]
    )
    assert result.exit_code != 0
    assert "bad.csv" in result.output and "doc_id" in result.output


def test_round_trip_agreeing_coder_scores_perfectly(tiny_corpus):
    sheet = draw(tiny_corpus)
    code_like_the_detector(sheet).to_csv(sheet, index=False)
    report = tiny_corpus / "report.csv"
    result = runner.invoke(
        app,
        ["frames", "validate", CORPUS, "--gold", str(sheet), "--out", str(report)]
        + ["--n-boot", "200"],
    )
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "weighted" in result.output
    scores = pd.read_csv(report)
    overall = scores[scores["by"] == "all"].set_index("metric")["estimate"]
    if "precision" in overall:  # the detector called some mention the event
        assert overall["precision"] == pytest.approx(1.0)
        assert overall["recall"] == pytest.approx(1.0)
        assert overall["miss_rate"] == pytest.approx(0.0)
        assert overall["voice_accuracy"] == pytest.approx(1.0)
    assert (scores["ci_method"] == "bootstrap").all()


def test_round_trip_finds_misses_and_false_positives(tiny_corpus):
    sheet = draw(tiny_corpus)
    table = code_like_the_detector(sheet)
    # The coder finds the event named in one no-mention sentence (a miss) and
    # judges one detected event mention to be about something else.
    quiet = table.index[table["kind"] == "no-mention"][0]
    table.loc[quiet, ["code_referent", "code_voice", "code_frame"]] = [
        "event",
        "own",
        "war",
    ]
    events = table.index[
        (table["kind"] == "mention") & (table["code_referent"] == "event")
    ]
    assert len(events) >= 2
    table.loc[events[0], "code_referent"] = "other"
    table.to_csv(sheet, index=False)
    gold = read_gold(sheet)
    assert (gold["source"] == "miss-check").sum() == 6
    result = runner.invoke(
        app, ["frames", "validate", CORPUS, "--gold", str(sheet), "--n-boot", "200"]
    )
    assert result.exit_code == 0, result.output
    from framing.datasets.build import load_corpus
    from framing.frames.validation import validate_corpus

    validation = validate_corpus(load_corpus(CORPUS), sheet, n_boot=200)
    overall = validation.table("all").iloc[0]
    assert validation.weighted
    assert 0 < overall["miss_rate"] < 1
    assert overall["precision"] < 1
    assert overall["precision_low"] <= overall["precision"] <= overall["precision_high"]
    assert not validation.items.empty


def test_validate_reads_the_gold_file_format_and_names_unknown_documents(
    tiny_corpus,
):
    from framing.datasets.build import load_corpus

    corpus = load_corpus(CORPUS)
    docs = corpus.articles(columns=["doc_id", "text"])
    doc_id, text = docs["doc_id"].iloc[0], docs["text"].iloc[0]
    start = text.index("Report")
    gold = pd.DataFrame(
        {
            "item": ["g1", "g2"],
            "corpus": [CORPUS, CORPUS],
            "outlet": ["", ""],
            "doc_id": [doc_id, "no-such-document"],
            "start": [start, 0],
            "end": [start + 6, 5],
            "term": ["", ""],
            "frame": ["none", "none"],
            "referent": ["none", "none"],
            "voice": ["none", "none"],
            "source": ["miss-check", "miss-check"],
            "split": ["dev", "test"],
            "note": ["", ""],
        }
    )
    path = tiny_corpus / "gold.csv"
    gold.to_csv(path, index=False)
    result = runner.invoke(app, ["frames", "validate", CORPUS, "--gold", str(path)])
    assert result.exit_code == 1
    assert "item g2 (doc_id no-such-document)" in result.output
    assert "Traceback" not in result.output
    # Only sentences naming nothing: nothing to score is an error, not a table.
    result = runner.invoke(
        app, ["frames", "validate", CORPUS, "--gold", str(path), "--split", "dev"]
    )
    assert result.exit_code == 1
    assert "nothing to score" in result.output


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("item,doc_id,start\n", "needs the column(s)"),
        ("unit_id,code_referent\nu1,event\n", "coded sample sheet needs"),
    ],
)
def test_missing_columns_are_named(tiny_corpus, columns, message):
    path = tiny_corpus / "bad.csv"
    path.write_text(columns, encoding="utf-8")
    result = runner.invoke(app, ["frames", "validate", CORPUS, "--gold", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_old_gold_format_and_no_corpus_errors(tmp_path):
    gold = tmp_path / "old.csv"
    gold.write_text(
        "item,corpus,doc_id,start,end,frame,voice,refers_to_war,note,split\n"
        "m1,x,a,0,3,war,own,1,,dev\nm2,x,b,0,3,war,own,0,,dev\n",
        encoding="utf-8",
    )
    table = read_gold(gold)
    assert table["referent"].tolist() == ["event", "other"]
    detected = pd.DataFrame(
        {"doc_id": ["a"], "start": [0], "end": [3], "frame": ["war"], "voice": ["own"]}
    )
    result = validate_mentions(detected, table, n_boot=0)
    # No referent column: every detected mention counts as the event.
    assert result.table("all").iloc[0]["precision"] == 1.0
    assert result.table("all").iloc[0]["recall"] == 1.0
    with pytest.raises(GoldError, match=r"not in the corpus: m2 \(b\)"):
        validate_mentions(detected, table, documents=["a"], n_boot=0)
    cli = runner.invoke(app, ["frames", "validate", "--gold", str(gold)])
    assert cli.exit_code == 1
    assert "needs a CORPUS" in cli.output


def test_press_release_gold_scores_reported_speech_as_own(tmp_path):
    # Its coders had no `reported` voice and coded reported speech as `own`.
    gold = tmp_path / "old.csv"
    gold.write_text(
        "item,corpus,doc_id,start,end,frame,voice,refers_to_war,note,split\n"
        "m1,x,a,0,3,war,own,1,,dev\nm2,x,b,0,3,war,quoted,1,,dev\n",
        encoding="utf-8",
    )
    table = read_gold(gold)
    assert table["folds_reported"].tolist() == [True, True]
    detected = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "start": [0, 0],
            "end": [3, 3],
            "frame": ["war", "war"],
            "voice": ["reported", "reported"],
        }
    )
    result = validate_mentions(detected, table, n_boot=0)
    assert result.table("all").iloc[0]["voice_accuracy"] == 0.5
    assert any("coded without a 'reported'" in note for note in result.notes)
    # Gold in the current format keeps `reported` apart unless asked.
    current = table.assign(folds_reported=False)
    assert (
        validate_mentions(detected, current, n_boot=0)
        .table("all")
        .iloc[0]["voice_accuracy"]
        == 0.0
    )
    merged = validate_mentions(
        detected, current, n_boot=0, merge_voices={"reported": "own"}
    )
    assert merged.table("all").iloc[0]["voice_accuracy"] == 0.5


def test_an_xlsx_sheet_round_trips_and_too_small_samples_are_errors(tiny_corpus):
    from framing.datasets.build import load_corpus
    from framing.frames.validation import sample_corpus, validate_corpus

    corpus = load_corpus(CORPUS)
    sheet, key, sample = sample_corpus(
        corpus, tiny_corpus / "sheet.xlsx", n=10, no_mention=4, seed=1
    )
    assert key == key_path(sheet) and key.is_file()
    table = pd.read_excel(
        sheet, sheet_name="coding", dtype=str, engine="openpyxl"
    ).fillna("")
    assert "voice" not in table.columns
    coded = code_like_the_detector_table(table, pd.read_csv(key, dtype=str))
    csv_copy = tiny_corpus / "coded.csv"
    coded.to_csv(csv_copy, index=False)
    key.rename(key_path(csv_copy))
    gold = read_gold(csv_copy)
    assert len(gold) == len(sample)
    assert validate_corpus(corpus, csv_copy, n_boot=50).weighted
    result = runner.invoke(
        app,
        ["frames", "sample", CORPUS, "--n", "2", "--out", str(tiny_corpus / "s.csv")],
    )
    assert result.exit_code == 1
    assert "cannot draw 2 mentions" in result.output


def test_every_referent_is_sampled_and_weighted_scores_match_a_hand_computation():
    from framing.frames.validation import draw_coding_sample

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "outlet": ["x", "x", "y", "y"],
            "text": ["The war goes on. Quiet day."] * 4,
        }
    )
    mentions = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "mention_id": ["a:4", "b:4", "c:4", "d:4"],
            "frame": "war",
            "start": 4,
            "end": 7,
            "voice": "own",
            "referent": ["event", "other", "undecided", "event"],
        }
    )
    sample = draw_coding_sample(mentions, docs, n=4, no_mention=2, seed=0)
    drawn = sample[sample["kind"] == "mention"]
    assert sorted(drawn["referent"]) == ["event", "event", "other", "undecided"]
    # Weighted precision by hand: detected-event items g1 (w 3, coded event)
    # and g2 (w 1, coded other) -> 3 / 4; unweighted it would be 1 / 2.
    gold = pd.DataFrame(
        {
            "item": ["g1", "g2"],
            "corpus": "",
            "outlet": ["x", "y"],
            "doc_id": ["a", "d"],
            "start": 4,
            "end": 7,
            "frame": "war",
            "referent": ["event", "other"],
            "voice": "own",
            "source": "candidate",
            "split": "",
            "weight": [3.0, 1.0],
        }
    )
    result = validate_mentions(mentions, gold, n_boot=200)
    overall = result.scores.query("by == 'all' and metric == 'precision'").iloc[0]
    assert result.weighted and overall["ci_method"] == "bootstrap"
    assert overall["estimate"] == pytest.approx(0.75)
    unweighted = validate_mentions(mentions, gold, weights=False, n_boot=0)
    assert unweighted.table("all").iloc[0]["precision"] == pytest.approx(0.5)
