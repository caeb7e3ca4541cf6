"""Model files that are safe to share: skops, with an explicit list of trusted types.

Trust model
-----------
A pickle runs arbitrary code when it is loaded, so a model file received
from a colleague would be as dangerous as a script from them. Models are
therefore saved with :mod:`skops.io`, which stores the object graph as
data (JSON schema + numpy arrays in a zip) and, when loading, only
*instantiates* types; it never calls code named in the file.

What is trusted
    skops' own defaults (builtins, numpy, scipy sparse matrices and the
    scikit-learn estimators it knows), plus :data:`TRUSTED_TYPES`: the
    :class:`FrameClassifier` class and two scikit-learn calibration helpers
    skops does not list. :func:`load_model` asks skops for every type in the
    file that skops does not trust by default and refuses the file
    (:class:`UntrustedModelError`, naming each type) if any of them is not
    in :data:`TRUSTED_TYPES` or in the caller's ``trusted`` argument.

What the user must still check
    Safe loading is not correct behaviour: a file can hold a perfectly
    well-formed model trained on the wrong data, with wrong labels or a
    planted vocabulary. Check the sidecar ``<file>.json`` (training corpus,
    labels, library versions, the file's SHA-256 — compare it with the
    value the sender gives you through another channel) and validate the
    model on your own gold data before use. Only add a type to ``trusted``
    after reading what it is; never pass every reported type blindly.
"""

from __future__ import annotations

import json
import os
import platform
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ...datasets.fetch import sha256_file
from ...errors import FramingError

__all__ = ["TRUSTED_TYPES", "UntrustedModelError", "save_model", "load_model"]

TRUSTED_TYPES: tuple[str, ...] = (
    "framing.frames.classify.pipeline.FrameClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)
_FORMAT = "framing-classifier/1"


class UntrustedModelError(FramingError):
    """A model file holds types that are not on the trust list."""


def _versions() -> dict[str, str]:
    import sklearn
    import skops

    from ... import __version__ as framing_version

    return {
        "framing": str(framing_version),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "python": platform.python_version(),
    }


def save_model(
    model: Any, path: str | Path, *, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Save a fitted model as a skops file plus a JSON sidecar.

    Parameters
    ----------
    model : FrameClassifier
        A fitted model.
    path : str or Path
        Target, conventionally ``*.skops``; the sidecar is ``<path>.json``
        with the format, library versions, classes, hyperparameters, the
        file's SHA-256, the preprocessing (``preprocessing.mask``: the
        masking lexicon, its SHA-256, frames and token, or ``null``; see
        :func:`~framing.frames.classify.masking_config`) and ``metadata``
        (say, the training corpus). Both are written under temporary names
        and renamed into place. A masking model carries its lexicon's text
        in the model file itself, so loading it reproduces the masking.
    metadata : mapping, optional
        JSON-serialisable facts about the model, stored in the sidecar.

    Returns
    -------
    Path
        The model file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from framing.frames.classify import FrameClassifier
    >>> clf = FrameClassifier(char_ngrams=None).fit(
    ...     ["gun law", "mental health"], ["control", "health"])
    >>> path = save_model(clf, pathlib.Path(tempfile.mkdtemp()) / "m.skops")
    >>> load_model(path).predict(["gun law"]).tolist()
    ['control']
    """
    import skops.io as sio

    from .masking import masking_config

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    sio.dump(model, staging)
    os.replace(staging, path)
    params = {
        k: (v if isinstance(v, str | int | float | bool | type(None)) else repr(v))
        for k, v in model.get_params().items()
    }
    sidecar = {
        "format": _FORMAT,
        "sha256": sha256_file(path),
        "versions": _versions(),
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        "params": params,
        "preprocessing": {"mask": masking_config(model)},
        "metadata": dict(metadata or {}),
    }
    side = path.with_name(path.name + ".json")
    staging_side = side.with_name(f".{side.name}.tmp")
    staging_side.write_text(json.dumps(sidecar, indent=2, sort_keys=True), "utf-8")
    os.replace(staging_side, side)
    return path


def load_model(path: str | Path, *, trusted: Iterable[str] = ()) -> Any:
    """Load a skops model file after checking every type it would create.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_model` (or any skops file).
    trusted : iterable of str
        Extra fully qualified type names to accept, beyond
        :data:`TRUSTED_TYPES` (see the module docstring before using it).

    Raises
    ------
    UntrustedModelError
        The file holds a type that is not trusted (each is named), or its
        SHA-256 differs from the one in its sidecar.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: no such model file")
    side = path.with_name(path.name + ".json")
    if side.is_file():
        try:
            info = json.loads(side.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise UntrustedModelError(
                f"{side}: the sidecar is not valid JSON ({exc}); save the model "
                "again with framing.frames.classify.save_model"
            ) from exc
        if not isinstance(info, dict) or not isinstance(info.get("versions", {}), dict):
            raise UntrustedModelError(
                f"{side}: the sidecar is not a model description (a JSON object "
                "with sha256 and versions); save the model again"
            )
        if info.get("sha256") and info["sha256"] != sha256_file(path):
            raise UntrustedModelError(
                f"{path}: SHA-256 differs from its sidecar {side.name}; the file "
                "was changed after it was saved"
            )
        saved = info.get("versions", {}).get("scikit-learn")
        import sklearn

        if saved and saved != sklearn.__version__:
            warnings.warn(
                f"{path}: saved with scikit-learn {saved}, loading with "
                f"{sklearn.__version__}; re-validate the model",
                UserWarning,
                stacklevel=2,
            )
    try:
        found = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several types for corrupt files
        raise UntrustedModelError(f"{path}: not a readable skops file ({exc})") from exc
    allowed = set(TRUSTED_TYPES) | set(trusted)
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise UntrustedModelError(
            f"{path}: refusing to load untrusted type(s) {unknown}. Only pass "
            "them as trusted=... after checking what they are and where the "
            "file came from"
        )
    model = sio.load(path, trusted=list(found))
    _check_stored_lexicon(model, path)
    return model


def _check_stored_lexicon(model: Any, path: Path) -> None:
    """A masking model carries a lexicon's TOML text; it must parse safely.

    Its patterns are checked like a lexicon file's (no catastrophically
    backtracking regex), at load rather than at the first prediction.
    """
    from ..lexicon import LexiconError, _parse

    source = getattr(model, "mask_lexicon_", None)
    if source is None:
        return
    if not isinstance(source, str):
        raise UntrustedModelError(
            f"{path}: mask_lexicon_ must be a lexicon's TOML text, not "
            f"{type(source).__name__}; save the model again"
        )
    try:
        _parse(source, f"{path} (stored masking lexicon)")
    except LexiconError as exc:
        raise UntrustedModelError(
            f"{path}: the masking lexicon stored in the model is refused: {exc}"
        ) from exc
