"""Your own corpus: local files and globs in cards, registry folders, name
clashes, day-only dates, and cards drafted by ``framing corpus init``.

Every file here is synthetic and written by the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.datasets.build import build_corpus, load_corpus
from framing.datasets.cards import (
    find_card,
    list_cards,
    load_card,
    registry_dir,
    registry_dirs,
)
from framing.errors import CardError, HashMismatchError

HEAD = """
name = "{name}"
title = "Mine"
description = "Synthetic."
licence = "CC0-1.0"
attribution = "The test"
citation = "The test"
timezone = "{timezone}"
"""


def card(folder: Path, entries: str, *, name: str = "mine", tz: str = "UTC") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(HEAD.format(name=name, timezone=tz) + entries, encoding="utf-8")
    return path


CSV_ENTRY = """
[[files]]
path = "{path}"
{extra}
[files.mapping]
text = "body"
published = "date"
outlet = {{ value = "paper" }}
"""


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["body,date"] + [f'"{body}",{date}' for body, date in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROWS = [
    ("Shelling of the port city continued overnight, officials said.", "2022-03-01"),
    ("Talks on grain exports resumed in the afternoon session.", "2022-03-02"),
    ("The parliament voted on the budget after a long debate.", "2022-03-03"),
]


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FRAMING_REGISTRY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- local files ---------------------------------------------------------------


def test_a_relative_path_builds_and_records_the_computed_sha256(home: Path) -> None:
    data = write_csv(home / "mine" / "data" / "paper.csv", ROWS)
    path = card(home / "mine", CSV_ENTRY.format(path="data/paper.csv", extra=""))
    built = build_corpus(path)
    assert built.counts["kept"] == 3
    (entry,) = built.manifest["inputs"]
    assert entry["name"] == "data/paper.csv"
    assert entry["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert entry["sha256_from"] == "computed"
    assert entry["path"] == str(data.resolve())
    assert set(built.articles(columns=["source_file"])["source_file"]) == {
        "data/paper.csv"
    }

    # Unchanged file: the store is reused; a changed file: rebuilt.
    key = built.manifest["build_key"]
    assert build_corpus(path).manifest["build_key"] == key
    write_csv(
        data, [*ROWS, ("A fourth report from the front line today.", "2022-03-04")]
    )
    again = build_corpus(path)
    assert again.manifest["build_key"] != key
    assert again.counts["kept"] == 4


def test_an_absolute_path_and_a_given_sha256_are_checked(home: Path) -> None:
    data = write_csv(home / "elsewhere" / "paper.csv", ROWS)
    good = hashlib.sha256(data.read_bytes()).hexdigest()
    extra = f'sha256 = "{good}"'
    path = card(home / "cards", CSV_ENTRY.format(path=data.as_posix(), extra=extra))
    built = build_corpus(path)
    assert built.manifest["inputs"][0]["sha256_from"] == "card"
    assert load_card(path).files[0].name == "paper.csv"

    bad = card(
        home / "cards",
        CSV_ENTRY.format(path=data.as_posix(), extra=f'sha256 = "{"0" * 64}"'),
        name="mine-bad",
    )
    with pytest.raises(HashMismatchError, match="paper.csv"):
        build_corpus(bad)


GLOB_ENTRY = """
[[files]]
path = "headlines/*/*.json"
format = "json"

[files.mapping]
text = "t"
published = "d"
outlet = "o"
"""


def write_headlines(root: Path) -> None:
    texts = {
        "kremlin": ["Meeting with the government on the budget", ""],
        "tass": ["Grain deal talks resume in the port city", "Weather warning"],
    }
    for outlet, items in texts.items():
        folder = root / "headlines" / outlet
        folder.mkdir(parents=True)
        records = [
            {"t": text, "d": f"2025-01-0{i + 1}", "o": outlet}
            for i, text in enumerate(items)
        ]
        (folder / "2025.json").write_text(json.dumps(records), encoding="utf-8")


def test_a_glob_names_each_file_by_its_path_and_rejects_say_which(home: Path) -> None:
    write_headlines(home / "mine")
    path = card(home / "mine", GLOB_ENTRY)
    loaded = load_card(path)
    assert [f.name for f in loaded.files] == [
        "headlines/kremlin/2025.json",
        "headlines/tass/2025.json",
    ]
    built = build_corpus(path)
    counts = built.counts
    assert counts["read"] == 4
    assert counts["read"] == counts["kept"] + counts["duplicates"] + counts["rejected"]
    assert counts["read_by_file"] == {
        "headlines/kremlin/2025.json": 2,
        "headlines/tass/2025.json": 2,
    }
    rejects = pd.read_parquet(built.path / "rejects.parquet")
    assert list(rejects["source_file"]) == ["headlines/kremlin/2025.json"]
    articles = built.articles(columns=["outlet", "source_file"])
    assert sorted(articles["outlet"]) == ["kremlin", "tass", "tass"]


def test_every_card_problem_is_reported_at_once(home: Path) -> None:
    entries = GLOB_ENTRY.replace("headlines/*/*.json", "nowhere/*.json") + (
        CSV_ENTRY.format(path="missing.csv", extra="")
    )
    path = card(home / "mine", entries, tz="Mars/Olympus")
    with pytest.raises(CardError) as info:
        load_card(path)
    message = str(info.value)
    assert "nowhere/*.json" in message and "matches no file" in message
    assert "missing.csv" in message
    assert "Mars/Olympus" in message
    assert "3 problems" in message


def test_a_glob_may_not_set_one_name_for_many_files(home: Path) -> None:
    write_headlines(home / "mine")
    entry = GLOB_ENTRY.replace('format = "json"', 'format = "json"\nname = "x.json"')
    with pytest.raises(CardError, match="drop `name`"):
        load_card(card(home / "mine", entry))


def test_url_and_path_together_are_refused(home: Path) -> None:
    write_csv(home / "mine" / "a.csv", ROWS)
    entry = CSV_ENTRY.format(path="a.csv", extra='url = "https://example.org/a.csv"')
    with pytest.raises(CardError, match="not both"):
        load_card(card(home / "mine", entry))


# --- dates ----------------------------------------------------------------------


def test_day_only_dates_keep_their_day_and_record_the_precision(home: Path) -> None:
    rows = [
        ("New Year address broadcast across the country.", "2025-01-01"),
        ("Statement issued in the late evening hours.", "2025-01-01 23:30"),
        ("A report published on the first day of the year.", "1 January 2025"),
    ]
    write_csv(home / "mine" / "msk.csv", rows)
    path = card(
        home / "mine", CSV_ENTRY.format(path="msk.csv", extra=""), tz="Europe/Moscow"
    )
    articles = build_corpus(path).articles(
        columns=["text", "published", "date_precision"]
    )
    by_text = {row.text[:10]: row for row in articles.itertuples()}
    day = by_text["New Year a"]
    assert day.published == pd.Timestamp("2025-01-01", tz="UTC")
    assert day.date_precision == "day"
    assert by_text["A report p"].published == pd.Timestamp("2025-01-01", tz="UTC")
    timed = by_text["Statement "]
    assert timed.published == pd.Timestamp("2025-01-01 20:30", tz="UTC")
    assert timed.date_precision == "time"
    assert {p.year for p in articles["published"]} == {2025}


# --- registries -------------------------------------------------------------------


def test_registry_dir_is_the_checkout_folder_in_a_checkout() -> None:
    assert registry_dir() == Path(__file__).resolve().parents[1] / "corpora"
    assert registry_dirs()[0] == registry_dir()


def test_cards_are_found_by_name_in_every_registry_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = home / "one", home / "two"
    write_csv(one / "a.csv", ROWS)
    write_csv(two / "b.csv", ROWS)
    card(one, CSV_ENTRY.format(path="a.csv", extra=""), name="from-one")
    card(two, CSV_ENTRY.format(path="b.csv", extra=""), name="from-two")
    user = home / "config" / "framing" / "corpora"
    write_csv(user / "c.csv", ROWS)
    card(user, CSV_ENTRY.format(path="c.csv", extra=""), name="from-user")
    monkeypatch.setenv("FRAMING_REGISTRY", os.pathsep.join([str(one), str(two)]))

    names = [c.name for c in list_cards()]
    assert {"from-one", "from-two", "from-user", "us-gov-2022"} <= set(names)
    assert find_card("from-two").path == two / "from-two.toml"
    assert load_corpus("from-user").counts["kept"] == 3

    result = CliRunner().invoke(app, ["corpus", "list"])
    assert result.exit_code == 0, result.output
    assert "from-user" in result.output and "registered" in result.output
    result = CliRunner().invoke(app, ["corpus", "build", "from-one"])
    assert result.exit_code == 0, result.output
    assert "read 3 = kept 3" in result.output


def test_a_single_folder_in_framing_registry_still_works(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv(home / "reg" / "a.csv", ROWS)
    card(home / "reg", CSV_ENTRY.format(path="a.csv", extra=""), name="solo")
    monkeypatch.setenv("FRAMING_REGISTRY", str(home / "reg"))
    assert find_card("solo").name == "solo"


def test_one_name_in_two_registry_folders_is_a_clash(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = home / "one", home / "two"
    for folder in (one, two):
        write_csv(folder / "a.csv", ROWS)
        card(folder, CSV_ENTRY.format(path="a.csv", extra=""), name="twice")
    monkeypatch.setenv("FRAMING_REGISTRY", os.pathsep.join([str(one), str(two)]))
    with pytest.raises(CardError, match="taken by more than one card"):
        find_card("twice")
    with pytest.raises(CardError, match="another name"):
        build_corpus(two / "twice.toml")
    result = CliRunner().invoke(app, ["corpus", "list"])
    assert result.exit_code == 0
    assert "broken card" in result.output and "twice" in result.output


def test_a_user_card_may_not_take_a_registered_name(home: Path) -> None:
    write_csv(home / "mine" / "a.csv", ROWS)
    path = card(
        home / "mine", CSV_ENTRY.format(path="a.csv", extra=""), name="us-gov-2022"
    )
    with pytest.raises(CardError, match="name of the registered corpus"):
        build_corpus(path)


def test_a_study_takes_a_card_path_relative_to_its_folder(home: Path) -> None:
    from framing.study.config import known_outlets, parse_study

    study_dir = home / "study"
    write_csv(study_dir / "cards" / "a.csv", ROWS)
    card(study_dir / "cards", CSV_ENTRY.format(path="a.csv", extra=""))
    study = {
        "study": {"name": "demo"},
        "corpora": {"names": ["cards/mine.toml"]},
        "sources": {"Paper": ["paper"]},
        "events": [{"date": "2022-03-02", "label": "talks"}],
        "naming": {"frames": ["invasion", "war"]},
    }
    config = parse_study(study, study_dir / "study.toml")
    assert config.corpora == ("cards/mine.toml",)
    assert known_outlets(config.corpora, base=study_dir) == {
        "cards/mine.toml": {"paper": -1}
    }
    study["corpora"] = {"names": ["cards/absent.toml"]}
    with pytest.raises(Exception, match="absent.toml"):
        parse_study(study, study_dir / "study.toml")
    # A card path that takes a registered name is refused before any build.
    card(
        study_dir / "cards",
        CSV_ENTRY.format(path="a.csv", extra=""),
        name="us-gov-2022",
    )
    study["corpora"] = {"names": ["cards/us-gov-2022.toml"]}
    with pytest.raises(Exception, match="name of the registered corpus"):
        parse_study(study, study_dir / "study.toml")


# --- corpus init -------------------------------------------------------------------


def _fill_in(card: Path) -> None:
    """Replace the draft's TODO placeholders, as a researcher would."""
    text = card.read_text(encoding="utf-8")
    card.write_text(re.sub(r'"TODO[^"]*"', '"Filled in"', text), encoding="utf-8")


def test_init_drafts_a_card_per_outlet_folder_that_builds(home: Path) -> None:
    write_headlines(home / "data")
    files = sorted(str(p) for p in (home / "data").rglob("*.json"))
    out = home / "data" / "headlines.toml"
    result = CliRunner().invoke(app, ["corpus", "init", *files, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'path = "headlines/kremlin/2025.json"' in text
    assert 'text = "t"' in text and 'published = "d"' in text
    # "o" is no outlet-like name: the per-outlet folders give the outlets.
    assert 'outlet = { value = "kremlin" }' in text
    assert "kremlin (2)" in text
    # Unfilled placeholders are named, not built into the corpus's metadata.
    from framing.errors import CardError

    with pytest.raises(CardError, match="placeholder left by `framing corpus init`"):
        build_corpus(out)
    out.write_text(
        re.sub(r'"TODO[^"]*"', '"Filled in by the researcher"', text), "utf-8"
    )
    built = build_corpus(out)
    assert built.counts["read"] == 4
    out.write_text(text, encoding="utf-8")

    again = CliRunner().invoke(app, ["corpus", "init", *files, "--out", str(out)])
    assert again.exit_code == 1
    assert "never overwrites" in again.output
    assert out.read_text(encoding="utf-8") == text


def test_init_takes_outlets_from_folders_and_columns_from_names(home: Path) -> None:
    for outlet in ("alpha", "beta"):
        folder = home / "press" / outlet
        folder.mkdir(parents=True)
        for year in (2024, 2025):
            (folder / f"{year}.csv").write_text(
                "Headline,Body,Date\n"
                f'"Budget {year}","The {outlet} desk covered the {year} budget.",'
                f"{year}-05-01\n",
                encoding="utf-8",
            )
    files = sorted(str(p) for p in (home / "press").rglob("*.csv"))
    result = CliRunner().invoke(
        app, ["corpus", "init", *files, "--name", "press", "--out", "press.toml"]
    )
    assert result.exit_code == 0, result.output
    text = (home / "press.toml").read_text(encoding="utf-8")
    assert 'path = "press/alpha/*.csv"' in text
    assert 'outlet = { value = "beta" }' in text
    assert 'text = "Body"' in text and 'title = "Headline"' in text
    _fill_in(home / "press.toml")  # what the researcher does with the draft
    loaded = load_card(home / "press.toml")
    assert loaded.name == "press" and len(loaded.files) == 4
    built = build_corpus(home / "press.toml")
    assert built.counts["kept"] == 4
    summary = built.summary()
    assert sorted(summary["outlet"]) == ["alpha", "beta"]


def test_init_sniffs_every_tabular_format(home: Path) -> None:
    from framing.datasets.draft import propose_mapping, sniff_file

    frame = pd.DataFrame(
        {"Headline": ["Talks resume"], "Body": ["The talks resumed."], "Date": ["2024"]}
    )
    (home / "a.tsv").write_text("title\tdate\tbody\nA\t2024-01-01\tText.\n")
    (home / "a.jsonl").write_text(
        '{"headline": "x", "published": "2024-01-01T10:00", "content": "Text."}\n'
    )
    frame.to_parquet(home / "a.parquet")
    frame.to_excel(home / "a.xlsx", index=False)
    found = {}
    for name in ("a.tsv", "a.jsonl", "a.parquet", "a.xlsx"):
        sniff = sniff_file(home / name)
        found[sniff.format] = propose_mapping(sniff.fields)
    assert found == {
        "csv": {"text": "body", "title": "title", "published": "date"},
        "jsonl": {"text": "content", "title": "headline", "published": "published"},
        "parquet": {"text": "Body", "title": "Headline", "published": "Date"},
        "excel": {"text": "Body", "title": "Headline", "published": "Date"},
    }


def test_init_lists_the_outlets_of_an_outlet_column(home: Path) -> None:
    (home / "press.csv").write_text(
        "headline,body,date,source\n"
        "A,First text here.,2024-05-01,Daily Post\n"
        "B,Second text here.,02/05/2024,The Herald\n"
        "C,Third text here.,2024-05-03,Daily Post\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["corpus", "init", "press.csv"])
    assert result.exit_code == 0, result.output
    text = (home / "press.toml").read_text(encoding="utf-8")
    assert "Daily Post (2), The Herald (1)" in text
    assert 'outlet = "source"' in text
    assert "date_order" in text  # 02/05/2024: day or month first is asked
    _fill_in(home / "press.toml")
    assert load_card(home / "press.toml").name == "press"
