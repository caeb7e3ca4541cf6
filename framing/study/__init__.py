"""The study runner: one TOML config, every stage, cached by content.

From Python (the command line is ``framing run studies/war-naming.toml``)::

    from framing.study import run_study

    run = run_study("studies/war-naming.toml")
    print(run.summary())   # stages, output folders, the headline table

See :mod:`framing.study.config` for the file format and
:mod:`framing.study.runner` for the stages and outputs.
"""

from .config import StudyConfig, StudyConfigError, load_study, parse_study
from .runner import StudyError, StudyRun, run_study

__all__ = [
    "StudyConfig",
    "StudyConfigError",
    "StudyError",
    "StudyRun",
    "load_study",
    "parse_study",
    "run_study",
]
