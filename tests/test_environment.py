"""The environment record of a study manifest and the check against it."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.study.environment import (
    LOCK_FILE,
    EnvironmentCheckError,
    check_environment,
    environment_record,
    find_lock,
    load_manifest,
    lock_packages,
)

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _manifest(tmp_path: Path, record: dict) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"environment": record}), encoding="utf-8")
    return path


def test_the_checkout_lock_is_recorded_by_its_sha256():
    lock = REPO / LOCK_FILE
    assert find_lock() == lock
    record = environment_record()
    assert record["lock"] == {
        "file": LOCK_FILE,
        "sha256": hashlib.sha256(lock.read_bytes()).hexdigest(),
    }
    # Every distribution the lock pins for this platform, with what is installed.
    assert set(lock_packages(lock)) <= set(record["packages"])
    assert "framing" not in lock_packages(lock)  # the project is not locked
    assert record["packages"]["numpy"] == metadata.version("numpy")
    assert list(record["packages"]) == sorted(record["packages"])
    # Deterministic, so reruns write byte-identical manifests.
    assert json.dumps(environment_record()) == json.dumps(record)


def test_lock_markers_select_this_platform(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# header\n"
        "numpy==1.0 ; python_full_version < '3.0' \\\n    --hash=sha256:aa\n"
        "numpy==2.4.6 ; python_full_version >= '3.0' \\\n    --hash=sha256:bb\n"
        "appnope==1.0.0 ; sys_platform == 'nowhere' \\\n    --hash=sha256:cc\n"
        "Typing_Extensions==4.0 \\\n    --hash=sha256:dd\n    # via typer\n",
        encoding="utf-8",
    )
    assert lock_packages(lock) == {"numpy": "2.4.6", "typing-extensions": "4.0"}
    assert lock_packages(lock, all_platforms=True)["appnope"] == "1.0.0"


def test_a_changed_dependency_version_is_a_difference():
    written = environment_record(installed={"numpy": "2.4.6"})
    manifest = {"environment": written}
    assert check_environment(manifest, installed={"numpy": "2.4.6"}) == []
    (difference,) = check_environment(manifest, installed={"numpy": "2.5.0"})
    assert (difference.name, difference.kind) == ("numpy", "version")
    assert (difference.recorded, difference.installed) == ("2.4.6", "2.5.0")
    assert str(difference) == "numpy: 2.4.6 in the manifest, 2.5.0 installed"


def test_missing_and_unrecorded_distributions_are_differences():
    manifest = {"environment": environment_record(installed={"gensim": "4.4.0"})}
    (missing,) = check_environment(manifest, installed={"gensim": None})
    assert missing.kind == "missing"
    assert "not installed" in str(missing)

    manifest = {"environment": environment_record(installed={"extra-pkg": None})}
    (extra,) = check_environment(manifest, installed={"extra-pkg": "1.0"})
    assert extra.kind == "not recorded"


def test_another_lock_is_a_difference(tmp_path):
    record = environment_record()
    record["lock"] = {**record["lock"], "sha256": "0" * 64}
    (difference,) = check_environment({"environment": record})
    assert difference.kind == "lock"
    assert "000000000000" in str(difference)


def test_without_a_lock_only_the_versions_are_compared():
    # An installed wheel has no lock: the record says so and the check
    # compares versions alone.
    record = environment_record(lock=None)
    assert record["lock"] is None
    assert "numpy" in record["packages"]
    assert check_environment({"environment": record}) == []
    assert check_environment({"environment": record}, lock=None) == []


def test_an_older_manifest_compares_its_versions():
    manifest = {"versions": {"framing": "0.1.0", "python": "1.0", "numpy": "0.1"}}
    found = {d.name: d.kind for d in check_environment(manifest)}
    assert found == {"python": "version", "numpy": "version"}


def test_load_manifest_from_file_folder_and_errors(tmp_path):
    path = _manifest(tmp_path, environment_record())
    assert load_manifest(path)[0] == path
    assert load_manifest(tmp_path)[0] == path
    with pytest.raises(EnvironmentCheckError, match="no study manifest"):
        load_manifest(tmp_path / "nowhere")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(EnvironmentCheckError, match="not a readable JSON"):
        load_manifest(tmp_path / "bad.json")


def test_cli_check_environment_exit_codes(tmp_path):
    record = environment_record()
    path = _manifest(tmp_path, record)
    result = runner.invoke(app, ["run", str(path), "--check-environment"])
    assert result.exit_code == 0, result.output
    assert "environment matches" in result.output

    record["packages"]["numpy"] = "0.0.1"
    _manifest(tmp_path, record)
    result = runner.invoke(app, ["run", str(tmp_path), "--check-environment"])
    assert result.exit_code == 2
    assert "numpy: 0.0.1 in the manifest" in result.output
    assert "make install" in result.output

    result = runner.invoke(
        app, ["run", str(tmp_path / "none.json"), "--check-environment"]
    )
    assert result.exit_code == 1
    assert "no study manifest" in result.output
    assert "Traceback" not in result.output


def test_citation_and_paper_name_this_version_and_lock():
    yaml = pytest.importorskip("yaml")
    sha = hashlib.sha256((REPO / LOCK_FILE).read_bytes()).hexdigest()
    version = metadata.version("framing")
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    fix = "update CITATION.cff and paper/paper.md after `make lock` (see CITATION.cff)"
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == version, fix
    assert {"type": "other", "value": f"sha256:{sha}"}.items() <= (
        citation["identifiers"][0].items()
    ), fix
    front = (REPO / "paper" / "paper.md").read_text(encoding="utf-8").split("---")[1]
    paper = yaml.safe_load(front)
    assert (paper["software-version"], paper["lock-sha256"]) == (version, sha), fix
