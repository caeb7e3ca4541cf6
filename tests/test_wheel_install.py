"""The built wheel installs into a fresh virtual environment and works there.

Builds the wheel from this checkout, installs it (dependencies from the
package index, through pip's cache) into a new virtual environment in a
temporary folder, and runs the installed ``framing`` from a folder outside
the checkout: the registered cards ship inside the package, so it lists
them and builds ``us-gov-2022`` from the mirror. On this machine the
install takes about 30 s with a warm pip cache, the whole test about 50 s.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.realdata]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_the_wheel_installs_lists_and_builds_a_registered_corpus(
    tmp_path: Path,
) -> None:
    mirror = os.environ.get("FRAMING_DATA_MIRROR")
    if not mirror or not (Path(mirror) / "us-gov-2022").is_dir():
        _unavailable("FRAMING_DATA_MIRROR must hold us-gov-2022 for the wheel test")
    timings: dict[str, float] = {}

    started = time.perf_counter()
    # Built from a copy: setuptools writes a build/ folder into the source
    # tree, and the checkout must not be left with a second copy of the
    # package in it.
    source = tmp_path / "source"
    shutil.copytree(
        REPO,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
            ".hypothesis", "out", "notebooks", "paper", "benchmarks",
        ),
    )  # fmt: skip
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels)]
        + [str(source)]
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("framing-*.whl")
    timings["wheel"] = time.perf_counter() - started
    packaged = {
        Path(name).name
        for name in zipfile.ZipFile(wheel).namelist()
        if name.startswith("framing/_registry/")
    }
    assert packaged == {p.name for p in (REPO / "corpora").glob("*.toml")}

    started = time.perf_counter()
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling every dependency up front would more
    # than double the install time (70 s instead of 28 s here); modules are
    # compiled when first imported instead.
    installed = _run(
        [str(python), "-m", "pip", "install", "-q", "--no-compile", str(wheel)]
    )
    if installed.returncode != 0:
        _unavailable(f"pip install of the wheel failed: {installed.stderr[-3000:]}")
    timings["install"] = time.perf_counter() - started

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FRAMING_REGISTRY", "PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        FRAMING_DATA_MIRROR=mirror,
        FRAMING_CACHE_DIR=str(tmp_path / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        COLUMNS="200",
    )
    framing = str(venv / "bin" / "framing")

    where = _run(
        [
            str(python),
            "-c",
            "import framing.datasets.cards as c; print(c.registry_dir())",
        ],
        cwd=outside,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    started = time.perf_counter()
    listed = _run([framing, "corpus", "list"], cwd=outside, env=env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for name in ("us-gov-2022", "kremlin-zelenskyy-2022", "gvfc"):
        assert name in listed.stdout, listed.stdout
    assert "broken card" not in listed.stdout

    build = _run(
        [framing, "corpus", "build", "us-gov-2022", "--no-progress"],
        cwd=outside,
        env=env,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    timings["run"] = time.perf_counter() - started
    counts = re.search(
        r"read (\d+) = kept (\d+) \+ duplicates (\d+) \+ rejected (\d+)", build.stdout
    )
    assert counts is not None, build.stdout
    read, kept, duplicates, rejected = map(int, counts.groups())
    assert read == kept + duplicates + rejected
    assert kept > 0
    assert (tmp_path / "cache" / "corpora" / "us-gov-2022" / "manifest.json").is_file()
    print("wheel test timings (s):", {k: round(v, 1) for k, v in timings.items()})
