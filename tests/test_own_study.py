"""A study of your own, end to end, on real files the toolkit does not own.

A researcher's folder outside the toolkit's checkout holds two corpus cards
that read the mirror's raw files where they are (absolute globs, no
sha256): English agency headline indexes and Russian Telegram posts. A
study file beside them names the cards by path, and ``framing run`` builds
both corpora and writes the study's outputs into that folder. Nothing is
registered and nothing is written into the checkout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

MIRROR = os.environ.get("FRAMING_DATA_MIRROR")
CHECKOUT = Path(__file__).resolve().parents[1]

HEADLINES_HEAD = """\
name = "my-agency-headlines"
title = "English headline indexes of Russian state outlets (my copy)"
description = "Headline indexes read from local JSON files, one glob per outlet."
licence = "Research use"
attribution = "The outlets named in outlet"
citation = "lobsterbush, kremlin-speeches (GitHub), headline indexes"
timezone = "Europe/Moscow"
languages = ["en"]

[dedupe]
threshold = 0.9
"""
# One glob per outlet: the index files carry no outlet field.
HEADLINES_FILES = """
[[files]]
path = "{folder}/{pattern}"
format = "json"

[files.mapping]
text = "t"
published = "d"
id = "u"
outlet = {{ value = "{outlet}" }}
language = {{ value = "en" }}
required = ["text", "published"]
"""
HEADLINE_GLOBS = {
    "kremlin": "kremlin-202[2-5].json",
    "mfa": "mfa-202[2-6].json",
    "mod": "mod-*.json",
    "sputnik": "sputnik-*.json",
    "tass": "tass-*.json",
}

TELEGRAM_CARD = """\
name = "my-telegram"
title = "Posts of nine Russian Telegram news channels (my copy)"
description = "Telegram posts read from local JSON files with one glob."
licence = "The channels' own publications; research use"
attribution = "The Telegram channels named in outlet"
citation = "NKTKLN, telegram-news-classifier (GitHub), raw posts"
timezone = "UTC"
languages = ["ru"]

[outlets]
"112" = ["112"]
kibertopor = ["КиберТопор"]
mash = ["Mash"]
moskva-live = ["Москва Live"]
moskva-s-ogonkom = ["Москва с огоньком Live"]
newsach = ["Ньюсач/Двач"]
novosti-moskvy = ["Новости Москвы"]
ranshe-vseh = ["Раньше всех. Ну почти."]
topor-live = ["Топор Live"]

[[files]]
path = "{folder}/*_messages.json"
format = "json"

[files.mapping]
text = "text"
published = "date"
id = ["channel", "message_id"]
outlet = "channel"
language = {{ value = "ru" }}
required = ["text", "published"]
"""

STUDY = """\
[study]
name = "my-study"
title = "How Russian state outlets and Telegram channels name the war"
seed = 1
output = "out"

[corpora]
names = ["cards/my-agency-headlines.toml", "cards/my-telegram.toml"]

[sources]
"State agencies" = ["tass", "sputnik"]
"Ministries" = ["mfa", "mod"]
"Kremlin" = ["kremlin"]
"Telegram" = ["112", "kibertopor", "mash", "moskva-live", "moskva-s-ogonkom",
              "newsach", "novosti-moskvy", "ranshe-vseh", "topor-live"]

[[events]]
date = "2022-09-21"
label = "Mobilisation"

[naming]
frames = ["special-military-operation", "war", "conflict"]
voices = ["own", "reported", "quoted"]
freq = "M"
min_docs = 20
"""


@pytest.mark.skipif(MIRROR is None, reason="needs FRAMING_DATA_MIRROR")
def test_a_study_of_your_own_files_runs_outside_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = Path(str(MIRROR)).resolve()
    project = tmp_path / "my-project"
    cards = project / "cards"
    cards.mkdir(parents=True)
    headlines = HEADLINES_HEAD + "".join(
        HEADLINES_FILES.format(
            folder=(mirror / "ru-state-headlines").as_posix(),
            pattern=pattern,
            outlet=outlet,
        )
        for outlet, pattern in HEADLINE_GLOBS.items()
    )
    (cards / "my-agency-headlines.toml").write_text(headlines, encoding="utf-8")
    (cards / "my-telegram.toml").write_text(
        TELEGRAM_CARD.format(folder=(mirror / "ru-telegram-2024").as_posix()),
        encoding="utf-8",
    )
    study = project / "my-study.toml"
    study.write_text(STUDY, encoding="utf-8")
    # A cold cache of the user's own, and a working folder outside the checkout.
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMING_REGISTRY", raising=False)
    monkeypatch.chdir(project)
    before = _checkout_state()

    runner = CliRunner()
    checked = runner.invoke(app, ["run", "--check", str(study)])
    assert checked.exit_code == 0, checked.output
    result = runner.invoke(app, ["run", str(study)])
    assert result.exit_code == 0, result.output

    out = project / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # The study names each corpus by the card path it was given.
    headline_card = "cards/my-agency-headlines.toml"
    telegram_card = "cards/my-telegram.toml"
    corpora = manifest["corpora"]
    assert set(corpora) == {headline_card, telegram_card}
    for entry in corpora.values():
        counts = entry["counts"]
        assert counts["kept"] > 0
        assert counts["read"] == (
            counts["kept"] + counts["duplicates"] + counts["rejected"]
        )
    # Local files: each sha256 computed at build and carried into the manifest.
    inputs = manifest["inputs"]
    assert inputs and all(len(item["sha256"]) == 64 for item in inputs)
    headline_files = [i["name"] for i in inputs if i["corpus"] == headline_card]
    telegram_files = [i["name"] for i in inputs if i["corpus"] == telegram_card]
    # Five globs over the headline indexes, one over the Telegram files.
    assert {Path(name).name.split("-")[0] for name in headline_files} == set(
        HEADLINE_GLOBS
    )
    assert len(telegram_files) == 9
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures, "the study wrote no figure"
    assert any((out / "tables").iterdir())
    # Nothing was written into the toolkit's checkout.
    assert _checkout_state() == before


def _checkout_state() -> list[tuple[str, float]]:
    """Files of the checkout a study could write to, with their times."""
    watched = [CHECKOUT / "corpora", CHECKOUT / "studies"]
    return sorted(
        (str(path), path.stat().st_mtime)
        for folder in watched
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
