"""A study writes only to folders it created: nothing a user wrote is deleted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.study import StudyConfigError, StudyError, parse_study, run_study
from framing.study.output import OUTPUT_MARKER, marker_content, output_problems

MINIMAL = {
    "study": {"name": "t"},
    "corpora": {"names": ["us-gov-2022"]},
    "events": [{"date": "2022-02-24", "label": "invasion"}],
    "naming": {"frames": ["invasion"]},
}


def _study_file(folder: Path, output: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[study]", 'name = "t"']
    if output is not None:
        lines.append(f"output = {json.dumps(output)}")
    lines += [
        "[corpora]",
        'names = ["us-gov-2022"]',
        "[[events]]",
        'date = "2022-02-24"',
        'label = "invasion"',
        "[naming]",
        'frames = ["invasion"]',
    ]
    path = folder / "study.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _thesis(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chapter1.tex").write_text("my thesis", encoding="utf-8")
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "coded.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return _snapshot(folder)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _problems(study: Path, output: str) -> list[str]:
    return output_problems(output, study_file=study, study_name="t")


@pytest.fixture
def study_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "project"


# --- refused: every data-loss case, before any work ----------------------------


@pytest.mark.parametrize("output", ["", ".", "./", "out/.."])
def test_the_study_folder_itself_is_refused(study_dir: Path, output: str) -> None:
    study = _study_file(study_dir, output)
    [problem] = _problems(study, output)
    assert "study file's own folder" in problem


@pytest.mark.parametrize("output", ["..", "../.."])
def test_an_ancestor_of_the_study_file_is_refused(study_dir: Path, output: str) -> None:
    study = _study_file(study_dir, output)
    problems = _problems(study, output)
    assert any("contains the study file" in p for p in problems)


def test_an_absolute_ancestor_is_refused(study_dir: Path) -> None:
    study = _study_file(study_dir / "sub", None)
    problems = _problems(study, str(study_dir))
    assert any("contains the study file" in p for p in problems)


def test_a_relative_output_may_not_leave_the_study_folder(study_dir: Path) -> None:
    study = _study_file(study_dir / "studies", None)
    problems = _problems(study, "../v")
    assert any("leaves the study's folder" in p for p in problems)
    assert any("absolute path" in p for p in problems)


def test_a_folder_the_toolkit_did_not_write_is_refused(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    thesis = study_dir.parent / "thesis"
    _thesis(thesis)
    problems = _problems(study, str(thesis))
    assert any(OUTPUT_MARKER in p and "did not write" in p for p in problems)


def test_another_studys_outputs_are_refused(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    other = study_dir / "out" / "t"
    other.mkdir(parents=True)
    (other / OUTPUT_MARKER).write_text(marker_content("other-study"))
    [problem] = _problems(study, "out/t")
    assert "'other-study'" in problem


def test_a_file_in_place_of_the_folder_is_refused(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    (study_dir / "out").write_text("not a folder")
    [problem] = _problems(study, "out")
    assert "not a folder" in problem


def test_the_cache_is_refused(study_dir: Path, tmp_path: Path) -> None:
    study = _study_file(study_dir, None)
    problems = output_problems(
        str(tmp_path / "cache" / "x"),
        study_file=study,
        study_name="t",
        cache=tmp_path / "cache",
    )
    assert any("cache" in p for p in problems)


def test_a_symlink_to_a_users_folder_is_refused(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    thesis = study_dir.parent / "thesis"
    _thesis(thesis)
    (study_dir / "out").mkdir()
    (study_dir / "out" / "t").symlink_to(thesis)
    assert _problems(study, "out/t")


# --- allowed ---------------------------------------------------------------


def test_new_empty_owned_and_legacy_folders_are_allowed(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    assert _problems(study, "out/t") == []  # does not exist yet
    (study_dir / "empty").mkdir()
    assert _problems(study, "empty") == []
    owned = study_dir / "owned"
    (owned / "figures").mkdir(parents=True)
    (owned / OUTPUT_MARKER).write_text(marker_content("t"))
    assert _problems(study, "owned") == []
    legacy = study_dir / "legacy"
    (legacy / "tables").mkdir(parents=True)
    (legacy / "manifest.json").write_text(
        json.dumps({"format": "framing-study/1", "study": {"name": "t"}})
    )
    assert _problems(study, "legacy") == []
    (legacy / "notes.txt").write_text("mine")  # a user's file: no longer ours
    assert _problems(study, "legacy")


def test_an_absolute_folder_elsewhere_is_allowed_when_new(study_dir: Path) -> None:
    study = _study_file(study_dir, None)
    assert _problems(study, str(study_dir.parent / "results" / "t")) == []


# --- the config, the CLI and the runner refuse before any work ----------------


def test_parse_study_reports_the_output_with_other_problems(study_dir: Path) -> None:
    study = _study_file(study_dir, ".")
    data = {**MINIMAL, "study": {"name": "t", "output": ".", "seed": "x"}}
    with pytest.raises(StudyConfigError) as caught:
        parse_study(data, study)
    assert any(p.startswith("[study] output:") for p in caught.value.problems)
    assert any(p.startswith("[study] seed:") for p in caught.value.problems)


@pytest.mark.parametrize("check", [True, False])
def test_cli_refuses_and_the_users_files_survive(
    study_dir: Path, tmp_path: Path, check: bool
) -> None:
    thesis = tmp_path / "thesis"
    before = _thesis(thesis)
    study = _study_file(study_dir, str(thesis))
    args = ["run", *(["--check"] if check else []), str(study)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "[study] output" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(thesis) == before
    assert not (tmp_path / "cache").exists()  # nothing was built


def test_cli_refuses_the_study_folder_given_by_absolute_path(
    study_dir: Path, tmp_path: Path
) -> None:
    study = _study_file(study_dir, ".")
    result = CliRunner().invoke(app, ["run", str(study.resolve())])
    assert result.exit_code == 1
    assert "own folder" in result.output
    assert study.is_file()
    assert not (tmp_path / "cache").exists()


def test_runner_rechecks_a_folder_that_changed_after_validation(
    study_dir: Path, tmp_path: Path
) -> None:
    study = _study_file(study_dir, "out/t")
    config = parse_study({**MINIMAL, "study": {"name": "t", "output": "out/t"}}, study)
    before = _thesis(study_dir / "out" / "t")  # appears after validation
    with pytest.raises(StudyError, match="nothing was written or replaced"):
        run_study(config)
    assert _snapshot(study_dir / "out" / "t") == before
    assert not (tmp_path / "cache").exists()


# --- every outlet placed, no source empty: checked before any work ------------


def test_outlet_problems_names_unplaced_outlets_and_empty_sources() -> None:
    from framing.study.config import outlet_problems

    sources = {"A": ("a",), "B": ("b",)}
    problems = outlet_problems(sources, {"c": {"a": 3, "x": 2}})
    assert problems[0].startswith("outlet 'x' (c: 2 documents) is in no source")
    assert problems[1].startswith("source 'B' has no documents")
    # Outlets not known before a build: no claim about empty sources.
    assert outlet_problems(sources, {"c": {"a": 3}, "d": None}) == []
    # A constant outlet of a card counts as present before it is counted.
    assert outlet_problems({"A": ("a",)}, {"c": {"a": -1}}) == []


def test_check_reports_unplaced_outlets_before_building(
    study_dir: Path, tmp_path: Path
) -> None:
    study = _study_file(study_dir, None)
    text = study.read_text(encoding="utf-8").replace(
        'names = ["us-gov-2022"]', 'names = ["ru-telegram-2024"]'
    )
    text += '[sources]\n"Mash" = ["mash"]\n"Gone" = ["no-such-channel"]\n'
    study.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--check", str(study)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "outlet 'topor-live' (ru-telegram-2024) is in no source" in output
    assert "source 'Gone' has no documents" in output
    assert "Traceback" not in result.output
    assert not (tmp_path / "cache").exists()
