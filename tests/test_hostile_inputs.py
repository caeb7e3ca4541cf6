"""Hostile and careless inputs, tried as a new user would, through the CLI.

Every case ends in one of two ways: a clear error (non-zero exit, the file,
row or setting named, what to do, no traceback, nothing the user wrote
changed), or a correct result. None may end silently wrong or lose data.
The catalogue below is the suite the README reports (cases tried, clear
errors, silent results, data lost); related unit tests live beside the code
they test (tests/test_study_output.py, tests/test_cache_tamper.py,
tests/test_store_atomic.py, tests/test_strict_readers.py,
tests/test_bad_input.py, tests/test_topics.py).

All data here is synthetic, written by the tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app

CARD = """\
name = "{name}"
title = "Synthetic test corpus"
description = "Rows written by the hostile-input tests; not real data."
licence = "CC0-1.0"
attribution = "The tests"
citation = "None"
languages = ["en"]

[dedupe]
near_duplicates = false

[[files]]
name = "{file}"
url = "http://127.0.0.1:9/{name}/{file}"
sha256 = "{sha256}"
{extra}

[files.mapping]
text = "{text}"
title = "title"
published = "published"
outlet = {{ value = "outlet-a" }}
"""

GOOD_CSV = (
    b"title,text,published\n"
    b"Port news,The port reopened after repairs.,2022-03-01\n"
    b"Rail news,Rail repairs finished ahead of time.,2022-03-02\n"
)


@dataclass
class World:
    """A registry, mirror, cache and home folder for one case."""

    root: Path
    registry: Path = field(init=False)
    mirror: Path = field(init=False)
    cache: Path = field(init=False)
    home: Path = field(init=False)

    def __post_init__(self) -> None:
        self.registry = self.root / "registry"
        self.mirror = self.root / "mirror"
        self.cache = self.root / "cache"
        self.home = self.root / "home"
        for folder in (self.registry, self.mirror, self.home):
            folder.mkdir(parents=True)

    def corpus(
        self,
        name: str,
        data: bytes,
        *,
        file: str = "data.csv",
        text: str = "text",
        extra: str = "",
    ) -> None:
        (self.mirror / name).mkdir(parents=True, exist_ok=True)
        (self.mirror / name / file).write_bytes(data)
        card = CARD.format(
            name=name,
            file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            text=text,
            extra=extra,
        )
        (self.registry / f"{name}.toml").write_text(card, encoding="utf-8")

    def study(self, output: str, *, folder: Path | None = None) -> Path:
        folder = folder or self.home / "study"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "study.toml"
        path.write_text(
            "\n".join(
                [
                    "[study]",
                    'name = "hostile"',
                    f"output = {json.dumps(output)}",
                    "[corpora]",
                    'names = ["tiny"]',
                    "[sources]",
                    '"A" = ["outlet-a"]',
                    "[[events]]",
                    'date = "2022-03-02"',
                    'label = "event"',
                    "[naming]",
                    'frames = ["war"]',
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def thesis(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chapter1.tex").write_text("two years of work", encoding="utf-8")
    (folder / "coded.csv").write_text("id,frame\n1,war\n", encoding="utf-8")
    return folder


@dataclass
class Expect:
    """What a case must end in."""

    exit_code: int
    says: tuple[str, ...] = ()  # substrings of the output (whitespace folded)
    unchanged: tuple[Path, ...] = ()  # folders whose bytes must not change
    check: Callable[[World, str], None] | None = None


Setup = Callable[[World], tuple[list[str], Expect]]
CASES: dict[str, tuple[str, Setup]] = {}


def case(kind: str) -> Callable[[Setup], Setup]:
    """Register a case under its kind: data loss, silently wrong, cache,
    hang or traceback (the issue's categories)."""

    def register(setup: Setup) -> Setup:
        CASES[setup.__name__] = (kind, setup)
        return setup

    return register


# --- data loss: the study's output folder ---------------------------------------


@case("data loss")
def output_is_an_absolute_thesis_folder(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    folder = thesis(world.home / "thesis")
    study = world.study(str(folder))
    return ["run", str(study)], Expect(
        1, ("[study] output", "did not write", "choose a new folder"), (folder,)
    )


@case("data loss")
def output_climbs_out_of_the_study_folder(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    folder = thesis(world.home / "v")
    study = world.study("../v")
    return ["run", str(study)], Expect(
        1, ("leaves the study's folder", "absolute path"), (folder,)
    )


@case("data loss")
def output_dot_with_the_study_given_by_absolute_path(
    world: World,
) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    study = world.study(".")
    return ["run", str(study.resolve())], Expect(
        1, ("study file's own folder",), (study.parent,)
    )


@case("data loss")
def output_empty_string(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    study = world.study("")
    return ["run", str(study)], Expect(1, ("own folder",), (study.parent,))


@case("data loss")
def output_parent_of_the_study(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    study = world.study("..")
    thesis(world.home)
    return ["run", str(study)], Expect(1, ("contains the study file",), (world.home,))


@case("data loss")
def check_refuses_what_a_run_would_refuse(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    folder = thesis(world.home / "thesis")
    study = world.study(str(folder))
    return ["run", "--check", str(study)], Expect(1, ("[study] output",), (folder,))


@case("data loss")
def output_is_another_studys_folder(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    other = world.home / "study" / "out" / "other"
    other.mkdir(parents=True)
    (other / ".framing-study-output").write_text(
        json.dumps({"format": "framing-study-output/1", "study": "other"}) + "\n"
    )
    study = world.study("out/other")
    return ["run", "--check", str(study)], Expect(
        1, ("outputs of study 'other'",), (other,)
    )


# --- silently wrong: builds that lose a file or a column -----------------------


@case("silently wrong")
def mapping_names_a_missing_column(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV, text="body")
    return ["corpus", "build", "tiny"], Expect(
        1, ("data.csv", "every one of its 2 records was rejected", "['body']")
    )


@case("silently wrong")
def header_only_file(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", b"title,text,published\n")
    return ["corpus", "build", "tiny"], Expect(1, ("data.csv", "yields no records"))


@case("silently wrong")
def empty_file(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", b"")
    return ["corpus", "build", "tiny"], Expect(1, ("data.csv",))


@case("silently wrong")
def excel_data_on_the_second_sheet(world: World) -> tuple[list[str], Expect]:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    data = book.create_sheet("Articles")
    data.append(["title", "text", "published"])
    data.append(["Port news", "The port reopened.", "2022-03-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    world.corpus("tiny", buffer.getvalue(), file="data.xlsx", extra='format = "excel"')
    return ["corpus", "build", "tiny"], Expect(
        1, ("data.xlsx", "yields no records", "'Articles'", "set `sheet`")
    )


@case("silently wrong")
def unplaced_outlet_found_before_any_work(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    study = world.study("out/hostile")
    text = study.read_text(encoding="utf-8").replace(
        '"A" = ["outlet-a"]', '"A" = ["b"]'
    )
    study.write_text(text, encoding="utf-8")

    def nothing_built(world: World, _: str) -> None:
        assert not (world.cache / "corpora").exists()

    return ["run", "--check", str(study)], Expect(
        1,
        ("outlet 'outlet-a' (tiny) is in no source", "source 'A' has no documents"),
        check=nothing_built,
    )


@case("silently wrong")
def unbalanced_quote_in_a_csv(world: World) -> tuple[list[str], Expect]:
    data = (
        b"title,text,published\n"
        b'Port news,"The port reopened after repairs.,2022-03-01\n'
        b"Rail news,Rail repairs finished ahead of time.,2022-03-02\n"
        b"Road news,The bridge opened to traffic.,2022-03-03\n"
    )
    world.corpus("tiny", data)

    def rows_not_merged(world: World, output: str) -> None:
        import pandas as pd

        store = world.cache / "corpora" / "tiny"
        texts = pd.read_parquet(store / "articles/part-00000.parquet")["text"].tolist()
        assert all("\n" not in text and len(text) < 60 for text in texts)
        rejects = pd.read_parquet(store / "rejects.parquet")
        assert rejects["reason"].tolist() == ["malformed_record"]

    return ["corpus", "build", "tiny"], Expect(
        0, ("read 3 = kept 2 + duplicates 0 + rejected 1",), check=rows_not_merged
    )


@case("silently wrong")
def utf8_file_declared_as_cp1251(world: World) -> tuple[list[str], Expect]:
    data = (
        "title,text,published\nВойна,Переговоры о зерне в порту.,2022-03-01\n"
    ).encode()
    world.corpus("tiny", data, extra='encoding = "cp1251"')
    return ["corpus", "build", "tiny"], Expect(1, ("data.csv", "encoding = 'utf-8'"))


@case("silently wrong")
def day_month_order_decided_per_column(world: World) -> tuple[list[str], Expect]:
    data = (
        b"title,text,published\n"
        b"Port news,The port reopened after repairs.,02/01/2022\n"
        b"Rail news,Rail repairs finished ahead of time.,13/01/2022\n"
    )
    world.corpus("tiny", data)

    def day_first(world: World, output: str) -> None:
        import pandas as pd

        store = world.cache / "corpora" / "tiny" / "articles/part-00000.parquet"
        days = sorted(pd.read_parquet(store)["published"].dt.strftime("%m-%d"))
        assert days == ["01-02", "01-13"]  # 2 January, not 1 February

    return ["corpus", "build", "tiny"], Expect(0, ("kept 2",), check=day_first)


@case("silently wrong")
def ambiguous_day_month_order_is_rejected(world: World) -> tuple[list[str], Expect]:
    data = (
        b"title,text,published\n"
        b"Port news,The port reopened after repairs.,02/01/2022\n"
        b"Rail news,Rail repairs finished ahead of time.,03/04/2022\n"
    )
    world.corpus("tiny", data)
    return ["corpus", "build", "tiny"], Expect(1, ("data.csv", "ambiguous_date 2"))


@case("silently wrong")
def dates_without_a_year_are_rejected(world: World) -> tuple[list[str], Expect]:
    data = (
        b"title,text,published\n"
        b"Port news,The port reopened after repairs.,Feb 24\n"
        b"Rail news,Rail repairs finished ahead of time.,2022-03-02\n"
    )
    world.corpus("tiny", data)

    def rejected(world: World, output: str) -> None:
        import pandas as pd

        store = world.cache / "corpora" / "tiny" / "rejects.parquet"
        assert pd.read_parquet(store)["reason"].tolist() == ["incomplete_date"]

    return ["corpus", "build", "tiny"], Expect(0, ("rejected 1",), check=rejected)


@case("silently wrong")
def text_in_an_undeclared_language(world: World) -> tuple[list[str], Expect]:
    data = (
        "title,text,published\n"
        "新闻,港口今天在修理后重新开放，市场恢复正常。,2022-03-01\n"
        "Rail news,Rail repairs finished ahead of time.,2022-03-02\n"
    ).encode()
    world.corpus("tiny", data)

    def labelled(world: World, output: str) -> None:
        import pandas as pd

        store = world.cache / "corpora" / "tiny" / "articles/part-00000.parquet"
        table = pd.read_parquet(store).sort_values("published")
        assert table["language"].tolist() == ["und", "en"]
        assert table["n_words"].iloc[0] > 10  # not one "word"

    return ["corpus", "build", "tiny"], Expect(0, ("kept 2",), check=labelled)


@case("silently wrong")
def dedupe_threshold_out_of_range(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    card = world.registry / "tiny.toml"
    card.write_text(
        card.read_text(encoding="utf-8").replace(
            "near_duplicates = false", "threshold = 7\ndelimiter = 3"
        ),
        encoding="utf-8",
    )
    return ["corpus", "build", "tiny"], Expect(1, ("tiny.toml", "threshold"))


@case("traceback")
def one_broken_card_does_not_block_the_registry(
    world: World,
) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    (world.registry / "broken.toml").write_text('name = "broken"\n[files\n')
    return ["corpus", "list"], Expect(0, ("tiny", "broken card broken.toml"))


@case("hang")
def a_huge_html_page_is_refused_not_parsed(world: World) -> tuple[list[str], Expect]:
    page = b"<html><body><p>" + b"word " * 2_000_000 + b"</p></body></html>"
    world.corpus("tiny", page, file="page.html")
    return ["corpus", "build", "tiny"], Expect(1, ("page.html", "max_bytes"))


@case("hang")
def a_lexicon_pattern_that_backtracks_catastrophically(
    world: World,
) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    lexicon = world.home / "bad.toml"
    lexicon.write_text(
        'name = "bad"\ndescription = "A hostile lexicon"\nlanguages = ["en"]\n'
        '\n[[frames]]\nname = "war"\n'
        'label = "War"\nterms.en = ["war"]\npatterns.en = [\'(\\w+\\s?)+$\']\n',
        encoding="utf-8",
    )
    return ["frames", "detect", "tiny", "--lexicon", str(lexicon)], Expect(
        1, ("bad.toml", "line 9", "patterns.en", "refused", "backtrack")
    )


# --- caches trusted blindly ------------------------------------------------------


def _built(world: World) -> Path:
    world.corpus("tiny", GOOD_CSV)
    result = CliRunner().invoke(app, ["corpus", "build", "tiny"])
    assert result.exit_code == 0, result.output
    return world.cache / "corpora" / "tiny"


@case("cache")
def truncated_store_is_not_summarised(world: World) -> tuple[list[str], Expect]:
    store = _built(world)
    articles = store / "articles/part-00000.parquet"
    articles.write_bytes(articles.read_bytes()[:100])
    return ["corpus", "summary", "tiny"], Expect(
        1,
        (
            "articles/part-00000.parquet: sha256 differs",
            "framing corpus build tiny --force",
        ),
    )


@case("cache")
def truncated_store_is_rebuilt(world: World) -> tuple[list[str], Expect]:
    store = _built(world)
    articles = store / "articles/part-00000.parquet"
    articles.write_bytes(articles.read_bytes()[:100])

    def rebuilt(world: World, output: str) -> None:
        import pandas as pd

        assert len(pd.read_parquet(store / "articles/part-00000.parquet")) == 2

    return ["corpus", "build", "tiny"], Expect(0, ("kept 2",), check=rebuilt)


@case("cache")
def card_elsewhere_with_a_registered_name(world: World) -> tuple[list[str], Expect]:
    store = _built(world)
    mine = world.home / "tiny.toml"
    mine.write_text(
        (world.registry / "tiny.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return ["corpus", "build", str(mine)], Expect(
        1, ("name of the registered corpus", "another name"), (store,)
    )


# --- tracebacks instead of messages ------------------------------------------------


@case("traceback")
def corrupt_parquet_input(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", b"PAR1" + b"\x00" * 40 + b"PAR1", file="data.parquet")
    return ["corpus", "build", "tiny"], Expect(
        1, ("data.parquet", "not a readable Parquet file")
    )


@case("traceback")
def unknown_corpus_name(world: World) -> tuple[list[str], Expect]:
    world.corpus("tiny", GOOD_CSV)
    return ["corpus", "build", "tiny-typo"], Expect(1, ("no corpus 'tiny-typo'",))


@case("traceback")
def study_file_that_is_not_toml(world: World) -> tuple[list[str], Expect]:
    path = world.home / "study.toml"
    path.write_text("[study\nname=", encoding="utf-8")
    return ["run", str(path)], Expect(1, ("not valid TOML",))


@case("traceback")
def study_file_missing(world: World) -> tuple[list[str], Expect]:
    return ["run", str(world.home / "absent.toml")], Expect(1, ("absent.toml",))


# --- the runner ---------------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    made = World(tmp_path)
    monkeypatch.setenv("FRAMING_REGISTRY", str(made.registry))
    monkeypatch.setenv("FRAMING_DATA_MIRROR", str(made.mirror))
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(made.cache))
    monkeypatch.chdir(made.home)
    return made


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_ends_in_a_clear_error_or_a_correct_result(
    world: World, name: str
) -> None:
    _, setup = CASES[name]
    args, expect = setup(world)
    before = {folder: snapshot(folder) for folder in expect.unchanged}
    result = CliRunner().invoke(app, args)
    output = " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == expect.exit_code, result.output
    for needle in expect.says:
        assert needle in output, f"{needle!r} not in: {output}"
    for folder, files in before.items():
        assert snapshot(folder) == files, f"{folder} changed"
    if expect.check is not None:
        expect.check(world, output)


def test_the_catalogue_covers_every_kind_of_failure() -> None:
    kinds = {kind for kind, _ in CASES.values()}
    assert kinds >= {"data loss", "silently wrong", "cache", "hang", "traceback"}
