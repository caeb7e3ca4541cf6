"""Study runner: a cold run, a rerun with nothing changed, and a one-setting change.

Target: a rerun with nothing changed is near-instant (at most 5% of the
cold run), and changing one setting reruns only the stages that read it.
The cold run in an empty cache is the baseline, measured in the same
process run. Every run goes through the CLI in a child process, so import
time is included as a user would see it.

Run::

    FRAMING_DATA_MIRROR=../shared/corpora python benchmarks/study.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import machine_info

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "studies" / "war-naming.toml"


def timed_run(study: Path, cache: Path) -> tuple[float, list[str]]:
    env = {**os.environ, "FRAMING_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from framing.cli import app; app()", "run", str(study)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    ran = [
        line.strip().split(":")[0]
        for line in result.stdout.splitlines()
        if ": done in " in line
    ]
    return seconds, ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="framing-study-bench-"))
    try:
        study = work / "war-naming.toml"
        shutil.copyfile(STUDY, study)
        cache = work / "cache"
        cold, cold_ran = timed_run(study, cache)
        warm, warm_ran = timed_run(study, cache)
        text = study.read_text(encoding="utf-8")
        study.write_text(text.replace("min_docs = 5", "min_docs = 3"), encoding="utf-8")
        changed, changed_ran = timed_run(study, cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = {
        "cold_s": round(cold, 1),
        "cold_stages_run": len(cold_ran),
        "rerun_s": round(warm, 2),
        "rerun_stages_run": len(warm_ran),
        "rerun_share_of_cold": round(warm / cold, 4),
        "one_setting_s": round(changed, 2),
        "one_setting_stages_run": changed_ran,
        "target_met": (
            warm / cold <= 0.05 and not warm_ran and changed_ran == ["naming"]
        ),
        "machine": machine_info(["pandas", "gensim", "scikit-learn", "matplotlib"]),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
