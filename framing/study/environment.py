"""The software environment a study ran in, and whether this one is the same.

A study's ``manifest.json`` carries an ``environment`` record
(:func:`environment_record`): the sha256 of the dependency lock
(``requirements/lock.txt``, written by ``make lock``), the Python version
and the installed version of every dependency. :func:`check_environment`
compares the running environment with such a record and lists what differs;
``framing run MANIFEST_OR_STUDY --check-environment`` prints that list and
exits 2 when anything differs, so a reader knows before a rerun whether the
figures can be expected to match.

The lock is found only in a checkout (beside ``pyproject.toml``, as
``make install`` uses it). A wheel installed with ``pip install framing``
ships no lock, because it installs from the ranges in ``pyproject.toml``:
there the record's ``lock`` is ``null``, and the installed versions alone
describe the environment.

Examples
--------
>>> record = environment_record(installed={"numpy": "2.4.6"})
>>> record["packages"]["numpy"]
'2.4.6'
>>> check_environment({"environment": record}, installed={"numpy": "2.4.6"})
[]
>>> [str(d) for d in check_environment(
...     {"environment": record}, installed={"numpy": "2.5.0"})]
['numpy: 2.4.6 in the manifest, 2.5.0 installed']
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import FramingError
from .cache import file_sha256

__all__ = [
    "EnvironmentDifference",
    "EnvironmentCheckError",
    "LOCK_FILE",
    "check_environment",
    "environment_record",
    "find_lock",
    "load_manifest",
    "lock_packages",
    "recorded_environment",
]

#: Where the lock lives in a checkout, relative to its root.
LOCK_FILE = "requirements/lock.txt"

# Versions the manifest has always recorded, kept in the environment record
# even when neither the lock nor the requirements name them (scipy arrives
# through statsmodels and scikit-learn).
_ALWAYS = ("framing", "scipy")

# `name==version ; marker \` as uv writes it (hash lines follow).
_LOCK_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)"
    r"\s*(?:;\s*(?P<marker>[^\\]*?))?\s*\\?\s*$"
)


class EnvironmentCheckError(FramingError):
    """A manifest to compare with cannot be found or read."""


@dataclass(frozen=True)
class EnvironmentDifference:
    """One way the running environment differs from a manifest's record.

    Attributes
    ----------
    name : str
        The distribution (normalised name), ``"python"`` or ``"lock"``.
    recorded, installed : str or None
        The version (or lock sha256) in the manifest and here; ``None``
        where absent.
    """

    name: str
    recorded: str | None
    installed: str | None

    @property
    def kind(self) -> str:
        """``"missing"``, ``"not recorded"``, ``"lock"`` or ``"version"``."""
        if self.name == "lock":
            return "lock"
        if self.installed is None:
            return "missing"
        if self.recorded is None:
            return "not recorded"
        return "version"

    def __str__(self) -> str:
        if self.kind == "lock":
            return (
                f"lock: sha256 {_short(self.recorded)} in the manifest, "
                f"{_short(self.installed)} in this checkout's {LOCK_FILE}"
            )
        if self.kind == "missing":
            return f"{self.name}: {self.recorded} in the manifest, not installed"
        if self.kind == "not recorded":
            return (
                f"{self.name}: not installed when the manifest was written, "
                f"{self.installed} installed"
            )
        return (
            f"{self.name}: {self.recorded} in the manifest, {self.installed} installed"
        )


def _short(sha: str | None) -> str:
    return "none" if sha is None else sha[:12]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def find_lock(root: Path | None = None) -> Path | None:
    """The lock file of the checkout this package runs from, or ``None``.

    Parameters
    ----------
    root : Path, optional
        A checkout's root; by default the folder above the ``framing``
        package, which is a checkout only for an editable install
        (``make install``). An installed wheel has no lock beside it.

    Examples
    --------
    >>> find_lock(Path("/no/such/checkout")) is None
    True
    """
    if root is None:
        root = Path(__file__).resolve().parents[2]
    lock = root / LOCK_FILE
    if (root / "pyproject.toml").is_file() and lock.is_file():
        return lock
    return None


def lock_packages(lock: Path, *, all_platforms: bool = False) -> dict[str, str]:
    """Distributions and versions a lock pins for this interpreter and platform.

    Parameters
    ----------
    lock : Path
        A ``requirements.txt``-style lock with ``name==version`` lines and
        optional environment markers (as ``uv pip compile --universal``
        writes them).
    all_platforms : bool, default False
        Keep entries whose marker excludes this environment (the last one
        of a name wins).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "lock.txt").write_text(
    ...     "numpy==2.4.6 \\\\\\n    --hash=sha256:00\\n"
    ...     "appnope==1.0.0 ; sys_platform == 'nowhere' \\\\\\n")
    >>> lock_packages(folder / "lock.txt")
    {'numpy': '2.4.6'}
    """
    try:
        from packaging.markers import Marker
    except ImportError:  # pragma: no cover - matplotlib depends on packaging
        Marker = None  # type: ignore[assignment,misc]  # noqa: N806
    packages: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _LOCK_LINE.match(line)
        if not match:
            continue
        marker = match["marker"]
        if (
            marker
            and not all_platforms
            and Marker is not None
            and not Marker(marker).evaluate()
        ):
            continue
        packages[_normalise(match["name"])] = match["version"]
    return packages


def _requirements() -> list[str]:
    """The project's own (non-extra) requirements, by normalised name."""
    try:
        requires = metadata.requires("framing") or []
    except metadata.PackageNotFoundError:  # running from an uninstalled tree
        return []
    names = []
    for requirement in requires:
        _, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        if match:
            names.append(_normalise(match[0]))
    return names


def _installed_version(
    name: str, installed: Mapping[str, str | None] | None
) -> str | None:
    if installed is not None and name in installed:
        return installed[name]
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment_record(
    *,
    lock: Path | None | bool = True,
    installed: Mapping[str, str | None] | None = None,
    extra: Iterable[str] = (),
) -> dict[str, Any]:
    """The environment as a study manifest records it.

    Parameters
    ----------
    lock : Path, None or True, default True
        The lock file; ``True`` finds this checkout's (:func:`find_lock`),
        ``None`` records none.
    installed : mapping, optional
        Versions to use instead of the installed ones (``None``: not
        installed), for tests and what-ifs; other names are looked up with
        :mod:`importlib.metadata`.
    extra : iterable of str
        More distributions to record.

    Returns
    -------
    dict
        ``lock``: ``{"file", "sha256"}``, or ``None`` where no lock is
        found (an installed wheel, which installs from the ranges in
        ``pyproject.toml``); ``python``: the interpreter's version;
        ``packages``: every distribution the lock pins for this platform,
        the project's requirements and ``extra``, sorted, each with its
        installed version or ``None``.
    """
    lock_path = find_lock() if lock is True else lock or None
    names = {*_ALWAYS, *_requirements(), *(_normalise(n) for n in extra)}
    lock_entry = None
    if lock_path is not None:
        names.update(lock_packages(lock_path))
        lock_entry = {"file": LOCK_FILE, "sha256": file_sha256(lock_path)}
    if installed is not None:
        names.update(_normalise(n) for n in installed)
        installed = {_normalise(n): v for n, v in installed.items()}
    return {
        "lock": lock_entry,
        "python": platform.python_version(),
        "packages": {n: _installed_version(n, installed) for n in sorted(names)},
    }


def load_manifest(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """A manifest from its file, its output folder or its study's TOML.

    Raises
    ------
    EnvironmentCheckError
        No manifest there (the study has not run yet) or it is not JSON.
    """
    path = Path(path)
    if path.suffix == ".toml":
        from .config import load_study

        path = load_study(path).output / "manifest.json"
    elif path.is_dir():
        path = path / "manifest.json"
    if not path.is_file():
        raise EnvironmentCheckError(
            f"{path}: no study manifest here. Fix: pass a study's "
            "manifest.json, its output folder or its study file after a run"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EnvironmentCheckError(
            f"{path}: not a readable JSON manifest ({exc}). Fix: pass the "
            "manifest.json a study run wrote"
        ) from exc
    if not isinstance(manifest, dict):
        raise EnvironmentCheckError(f"{path}: not a study manifest (no JSON object)")
    return path, manifest


def recorded_environment(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest's environment record, as :func:`environment_record` writes it.

    Manifests from before the record carry only ``versions`` (a few
    packages and Python); they are read as a record without a lock.

    Examples
    --------
    >>> recorded_environment({"versions": {"python": "3.11.7", "numpy": "2.4.6"}})
    {'lock': None, 'python': '3.11.7', 'packages': {'numpy': '2.4.6'}}
    """
    record = manifest.get("environment")
    if isinstance(record, dict) and isinstance(record.get("packages"), dict):
        return record
    versions = dict(manifest.get("versions") or {})
    python = versions.pop("python", None)
    packages = {_normalise(n): v for n, v in versions.items()}
    return {"lock": None, "python": python, "packages": packages}


def check_environment(
    manifest: Mapping[str, Any],
    *,
    lock: Path | None | bool = True,
    installed: Mapping[str, str | None] | None = None,
) -> list[EnvironmentDifference]:
    """How the running environment differs from a manifest's record.

    Parameters
    ----------
    manifest : mapping
        A study manifest (its ``environment`` record, or for manifests
        written before it, its ``versions``).
    lock, installed
        As in :func:`environment_record`.

    Returns
    -------
    list of EnvironmentDifference
        Empty when the Python version, every recorded distribution's
        version and the lock's sha256 (when both sides have a lock) match;
        a distribution installed here but not when the manifest was written
        is listed too. Sorted by name.
    """
    recorded = recorded_environment(manifest)
    packages = {_normalise(n): v for n, v in recorded["packages"].items()}
    current = environment_record(lock=lock, installed=installed, extra=packages)
    differences = []
    if recorded.get("python") and recorded["python"] != current["python"]:
        differences.append(
            EnvironmentDifference("python", recorded["python"], current["python"])
        )
    was, now = recorded.get("lock"), current["lock"]
    # Both sides recorded what their lock pins: a distribution only this side
    # has is a difference too. Otherwise (a manifest from a wheel install or
    # from before the environment record) only what it recorded is compared.
    names = set(current["packages"]) if was and now else set(packages)
    for name in sorted(names):
        version = current["packages"].get(name)
        if packages.get(name) != version:
            differences.append(EnvironmentDifference(name, packages.get(name), version))
    if was and now and was.get("sha256") != now["sha256"]:
        differences.append(
            EnvironmentDifference("lock", was.get("sha256"), now["sha256"])
        )
    return sorted(differences, key=lambda d: d.name)
