"""The study runner: one TOML config, every stage, cached by content.

>>> from framing.study import load_study, run_study  # doctest: +SKIP
>>> run = run_study("studies/war-naming.toml")      # doctest: +SKIP
>>> print(run.summary())                            # doctest: +SKIP

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
