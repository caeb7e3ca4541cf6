"""Which folder a study may write its outputs to, and which it may replace.

A study run replaces its whole output folder (figures, tables, manifest)
at once. Replacing a folder deletes what was in it, so the runner only ever
replaces a folder that it created itself, for the same study:

* A relative ``output`` stays inside the study file's folder; a folder
  elsewhere must be given as an absolute path (the user says so).
* The output may not be the study's folder, nor contain the study file, nor
  lie inside the toolkit's cache.
* An existing output folder is replaced only when it carries the marker
  file :data:`OUTPUT_MARKER` that an earlier run of the same study wrote,
  or when it is empty. Any other folder — a thesis folder, a home folder,
  another study's outputs — is refused before any work starts, with the
  reason and what to do.

The checks run when the study file is validated (so ``framing run --check``
reports them) and again just before the folder is replaced.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["OUTPUT_MARKER", "marker_content", "output_problems"]

OUTPUT_MARKER = ".framing-study-output"
_MARKER_FORMAT = "framing-study-output/1"


def marker_content(study_name: str) -> str:
    """The marker file's text: the same for every run of one study.

    Examples
    --------
    >>> print(marker_content("war-naming"), end="")
    {"format": "framing-study-output/1", "study": "war-naming"}
    """
    return json.dumps({"format": _MARKER_FORMAT, "study": study_name}) + "\n"


_LEGACY_ENTRIES = {"figures", "tables", "manifest.json"}


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / OUTPUT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _legacy_marker(folder)
    if not isinstance(data, dict) or data.get("format") != _MARKER_FORMAT:
        return None
    return data


def _legacy_marker(folder: Path) -> dict[str, Any] | None:
    """Outputs of runs from before the marker: only what a run writes."""
    try:
        entries = {p.name for p in folder.iterdir()}
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not entries <= _LEGACY_ENTRIES or not isinstance(manifest, dict):
        return None
    if manifest.get("format") != "framing-study/1":
        return None
    study = manifest.get("study")
    name = study.get("name") if isinstance(study, dict) else None
    return {"format": _MARKER_FORMAT, "study": name}


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def output_problems(
    output: str | Path,
    *,
    study_file: Path,
    study_name: str,
    cache: Path | None = None,
) -> list[str]:
    """What forbids writing a study's outputs to ``output`` (empty: allowed).

    Parameters
    ----------
    output : str or Path
        The ``[study] output`` setting as written (relative to the study
        file's folder, or absolute).
    study_file : Path
        The study file.
    study_name : str
        The study's name; an existing output must belong to it.
    cache : Path, optional
        The toolkit's cache folder, which an output may not be inside.

    Returns
    -------
    list of str
        One sentence per problem, each saying what to change.

    Examples
    --------
    >>> import tempfile
    >>> home = Path(tempfile.mkdtemp())
    >>> study = home / "study.toml"
    >>> _ = study.write_text("")
    >>> output_problems("out/s", study_file=study, study_name="s")
    []
    >>> print(output_problems(".", study_file=study, study_name="s")[0])
    is the study file's own folder; write to a subfolder such as 'out/s'
    >>> (home / "thesis").mkdir()
    >>> _ = (home / "thesis" / "chapter1.tex").write_text("...")
    >>> print(output_problems("thesis", study_file=study, study_name="s")[0][-44:])
    choose a new folder, or empty this one first
    """
    written = Path(output)
    study_folder = _resolved(study_file.parent)
    target = _resolved(
        written if written.is_absolute() else study_file.parent / written
    )
    problems: list[str] = []
    suggestion = f"write to a subfolder such as 'out/{study_name}'"
    if str(output).strip() in ("", "."):
        return [f"is the study file's own folder; {suggestion}"]
    if target == study_folder:
        return [f"is the study file's own folder; {suggestion}"]
    if _is_within(_resolved(study_file), target):
        return [
            f"{target} contains the study file, and a run replaces the whole "
            f"output folder; {suggestion}"
        ]
    if not written.is_absolute() and not _is_within(target, study_folder):
        problems.append(
            f"{str(output)!r} leaves the study's folder ({study_folder}); a "
            "relative output stays inside it — give an absolute path to write "
            "elsewhere"
        )
    if cache is not None and _is_within(target, _resolved(cache)):
        problems.append(
            f"{target} is inside the toolkit's cache ({cache}); choose a folder "
            "outside it"
        )
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            problems.append(
                f"{target} exists and is not a folder; choose a new folder name"
            )
        else:
            marker = _read_marker(target)
            if marker is None:
                if any(target.iterdir()):
                    problems.append(
                        f"{target} holds files the toolkit did not write (no "
                        f"{OUTPUT_MARKER} marker), and a run replaces the whole "
                        "folder; choose a new folder, or empty this one first"
                    )
            elif marker.get("study") != study_name:
                problems.append(
                    f"{target} holds the outputs of study "
                    f"{marker.get('study')!r}, not {study_name!r}; give each "
                    "study its own output folder"
                )
    return problems
