"""Content-addressed stage cache of the study runner.

A stage's key is the sha256 of its name, its parameters, the keys (or
content hashes) of its inputs and the toolkit version. Its outputs live in
``<cache>/studies/<stage>-<key prefix>/`` with a ``stage.json`` record; a
stage whose folder exists is not run again. Changing one setting changes
the keys of the stages that read it, and of everything downstream of
them, and nothing else. A changed toolkit (any of its source files)
changes every key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..datasets.fetch import sha256_file as file_sha256
from ..store import atomic_directory, write_json_atomic

__all__ = ["StageCache", "StageResult", "cache_damage", "content_key", "file_sha256"]

STAGE_RECORD = "stage.json"


@functools.cache
def toolkit_fingerprint() -> str:
    """sha256 of the toolkit's own source files.

    Part of every stage key, so that a changed toolkit (a release, or an
    edit in a development checkout) never reuses results it would no
    longer produce.
    """
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(payload: Any) -> str:
    """sha256 of a JSON-serialisable payload (sorted keys, compact).

    Examples
    --------
    >>> content_key({"b": 1, "a": [1, 2]}) == content_key({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StageResult:
    """One stage's outcome: where its files are and what it reported."""

    name: str
    key: str
    path: Path
    cached: bool
    record: dict[str, Any]
    #: Why a cached copy was not reused (files changed or missing), if so.
    damage: tuple[str, ...] = ()

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.record.get("summary", {}))


def cache_damage(folder: Path) -> list[str]:
    """How a cached stage folder differs from its record (empty: intact).

    Every file the stage wrote is checked against the sha256 recorded when
    it was written, and no file may have been added, so an edited, truncated
    or removed file is never reused.

    Examples
    --------
    >>> import tempfile
    >>> cache = StageCache(Path(tempfile.mkdtemp()))
    >>> def produce(folder):
    ...     _ = (folder / "table.csv").write_text("a,b;1,2")
    >>> stage = cache.run("demo", {}, produce)
    >>> cache_damage(stage.path)
    []
    >>> _ = (stage.path / "table.csv").write_text("a,b;1,3")
    >>> cache_damage(stage.path)
    ['table.csv: sha256 differs from the stage record']
    >>> cache.run("demo", {}, produce).damage
    ('table.csv: sha256 differs from the stage record',)
    """
    try:
        record = json.loads((folder / STAGE_RECORD).read_text(encoding="utf-8"))
        files = dict(record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{STAGE_RECORD}: unreadable"]
    problems = []
    for relative, digest in sorted(files.items()):
        path = folder / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif file_sha256(path) != digest:
            problems.append(f"{relative}: sha256 differs from the stage record")
    present = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != STAGE_RECORD
    }
    problems += [
        f"{extra}: not written by the stage" for extra in sorted(present - set(files))
    ]
    return problems


class StageCache:
    """Run stages once per content key; reuse their folders afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def key(self, name: str, params: Any) -> str:
        return content_key(
            {"stage": name, "params": params, "toolkit": toolkit_fingerprint()}
        )

    def folder(self, name: str, key: str) -> Path:
        return self.root / f"{name}-{key[:24]}"

    def run(
        self,
        name: str,
        params: Any,
        produce: Callable[[Path], dict[str, Any] | None],
        *,
        force: bool = False,
    ) -> StageResult:
        """Return the cached stage, or run ``produce(staging_folder)``.

        ``produce`` writes its files into the folder and returns a JSON
        summary. The folder appears atomically, so an interrupted stage
        leaves no half-written cache entry.
        """
        key = self.key(name, params)
        target = self.folder(name, key)
        record_path = target / STAGE_RECORD
        damage: list[str] = []
        if record_path.is_file() and not force:
            damage = cache_damage(target)
            if not damage:
                record = json.loads(record_path.read_text(encoding="utf-8"))
                return StageResult(name, key, target, True, record)
        with atomic_directory(target) as staging:
            summary = produce(staging) or {}
            files = {
                str(p.relative_to(staging)): file_sha256(p)
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            }
            record = {
                "format": "framing-study-stage/1",
                "stage": name,
                "key": key,
                "params": params,
                "summary": summary,
                "files": files,
            }
            write_json_atomic(staging / STAGE_RECORD, record)
            # What a later run reads back (JSON types, string keys in sorted
            # order), so a cold run and a cached one build identical outputs.
            record = json.loads((staging / STAGE_RECORD).read_text(encoding="utf-8"))
        return StageResult(name, key, target, False, record, tuple(damage))
