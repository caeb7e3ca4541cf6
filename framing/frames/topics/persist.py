"""Saving and loading topic models without pickle.

Trust model
-----------
A saved model is a folder that colleagues exchange and that reviewers
download. gensim's own ``save``/``load`` use Python's pickle, and loading a
pickle runs whatever code the file says: opening a model from someone else
would mean trusting them (and every mirror in between) with your account.
This format therefore holds only inert data:

* arrays as ``.npy`` files, read with ``numpy.load(allow_pickle=False)``
  (object arrays are refused);
* the dictionary, collocations, hyperparameters, topic names and document
  ids as JSON;
* ``manifest.json`` listing every file with its sha256.

A model trained on a sample (``TopicModel(sample_size=...)``) also holds
the sample's record (``"sample"`` in ``model.json``) and
``sample_mask.npy``, which marks the training documents among
``doc_ids``. Models trained on every document are written exactly as
before the option existed (no sample entries, no mask file, the two
sampling hyperparameters left out while at their defaults), and folders
without them load with ``sample_ = None``.

Loading checks that every listed file exists and matches its sha256
before reading it, and rejects unknown format versions. The sha256 check
detects corruption and accidental edits; it cannot detect a deliberate
change by someone who also rewrites the manifest, so to pin a model
published with a paper pass ``expected_manifest_sha256`` (the sha256 of
``manifest.json``, printed by :func:`save_model`). Even an altered folder
cannot execute code when loaded: the worst it can do is produce a wrong
or unusable model. The model is rebuilt from arrays into a fresh gensim
LdaModel; nothing here calls ``gensim.utils.unpickle``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ...datasets.fetch import sha256_file
from ...errors import FramingError
from ...store import atomic_directory, write_json_atomic
from .sample import strata_table
from .tokens import dictionary_from_json, dictionary_to_json

__all__ = ["save_model", "load_model", "sha256_file", "ModelFileError"]

FORMAT = "framing-topic-model/1"
MANIFEST = "manifest.json"
_ARRAYS = ("sstats", "alpha", "eta", "gamma", "doc_lengths")
# Written only for a model trained on a sample.
_SAMPLE_MASK = "sample_mask"
_SAMPLE_DEFAULTS = {"sample_size": None, "sample_by": ("outlet", "year")}


class ModelFileError(FramingError):
    """A saved model folder is incomplete, altered or of an unknown format."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        raise TypeError("array hyperparameters are saved as arrays, not JSON")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def save_model(model: Any, folder: str | Path) -> str:
    """Write a fitted :class:`TopicModel` to ``folder`` (atomically).

    Returns the sha256 of the manifest, which pins this exact model.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from framing.frames.topics import TopicModel, load_model
    >>> from framing.frames.topics.synthetic import sample_lda_corpus
    >>> data = sample_lda_corpus(n_docs=40, k=2, vocab_size=30, seed=0)
    >>> model = TopicModel(k=2, passes=2, no_below=1, no_above=1.0,
    ...                    phrase_layers=0).fit(data.documents)
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> pin = save_model(model, folder)
    >>> loaded = load_model(folder, expected_manifest_sha256=pin)
    >>> loaded.transform(data.documents[:3]).equals(model.transform(data.documents[:3]))
    True
    """
    if not hasattr(model, "model_"):
        raise FramingError("save_model needs a fitted TopicModel; call fit() first")
    folder = Path(folder)
    lda = model.model_
    params = {k: v for k, v in model.get_params().items() if k != "cache_dir"}
    if all(_as_tuple(params.get(k)) == v for k, v in _SAMPLE_DEFAULTS.items()):
        # At their defaults they change nothing: left out, so that a model
        # trained on every document is saved byte for byte as before.
        for key in _SAMPLE_DEFAULTS:
            params.pop(key, None)
    sample = getattr(model, "sample_", None)
    array_params = {k for k, v in params.items() if isinstance(v, np.ndarray)}
    if array_params:
        raise FramingError(
            f"hyperparameters {sorted(array_params)} are arrays; the fitted prior "
            "is saved with the model, but pass numbers or names to save the "
            "hyperparameters (e.g. build seeds with seed_words)"
        )
    with atomic_directory(folder) as staging:
        arrays = {
            "sstats": np.asarray(lda.state.sstats),
            "alpha": np.asarray(lda.alpha),
            "eta": np.asarray(lda.eta),
            "gamma": np.asarray(model.gamma_),
            "doc_lengths": np.asarray(model.doc_lengths_, dtype=np.int64),
        }
        if sample is not None:
            arrays[_SAMPLE_MASK] = np.asarray(model.sample_doc_mask_, dtype=np.bool_)
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array, allow_pickle=False)
        write_json_atomic(
            staging / "dictionary.json", dictionary_to_json(model.dictionary_)
        )
        write_json_atomic(staging / "phrases.json", {"layers": model.phrases_})
        meta: dict[str, Any] = {
            "params": _jsonable(params),
            "class": type(lda).__name__,
            "dtype": np.dtype(lda.dtype).name,
            "num_updates": int(lda.num_updates),
            "numdocs": int(lda.state.numdocs),
            "doc_ids": list(model.doc_ids_),
            "topic_names": list(model.topic_names_),
            "seed_words_missing": model.seed_words_missing_,
            "bow_key": model.bow_key_,
            "reproducible": bool(model.reproducible_),
        }
        if sample is not None:
            meta["sample"] = _jsonable(sample)
        write_json_atomic(staging / "model.json", meta)
        files = sorted(p.name for p in staging.iterdir())
        write_json_atomic(
            staging / MANIFEST,
            {
                "format": FORMAT,
                "files": {name: sha256_file(staging / name) for name in files},
                "versions": _versions(),
            },
        )
        pin = sha256_file(staging / MANIFEST)
    return pin


def _versions() -> dict[str, str]:
    import gensim

    from ... import __version__

    return {
        "framing": __version__,
        "gensim": gensim.__version__,
        "numpy": np.__version__,
    }


def _verified(folder: Path, expected_manifest_sha256: str | None) -> dict[str, Any]:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ModelFileError(
            f"{folder}: no {MANIFEST}; not a saved topic model (save one with "
            "framing.frames.topics.save_model)"
        )
    if expected_manifest_sha256 is not None:
        actual = sha256_file(manifest_path)
        if actual != expected_manifest_sha256:
            raise ModelFileError(
                f"{manifest_path}: sha256 {actual} differs from the expected "
                f"{expected_manifest_sha256}; this is not the pinned model, get an "
                "unaltered copy from its authors"
            )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelFileError(f"{manifest_path}: not valid JSON ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise ModelFileError(
            f"{manifest_path}: format {manifest.get('format')!r} is not {FORMAT!r}; "
            "re-save the model with this version of framing"
        )
    expected = {f"{name}.npy" for name in _ARRAYS} | {
        "dictionary.json",
        "phrases.json",
        "model.json",
    }
    files = manifest.get("files", {})
    if f"{_SAMPLE_MASK}.npy" in files:
        expected.add(f"{_SAMPLE_MASK}.npy")
    if set(files) != expected:
        raise ModelFileError(
            f"{manifest_path}: lists {sorted(files)}, expected {sorted(expected)}; "
            "the folder is incomplete or altered"
        )
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise ModelFileError(f"{path}: missing; the saved model is incomplete")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelFileError(
                f"{path}: sha256 {actual} does not match the manifest ({digest}); "
                "the file was changed or corrupted after saving, get an unaltered "
                "copy of the model"
            )
    return dict(manifest)


def load_model(
    folder: str | Path, *, expected_manifest_sha256: str | None = None
) -> Any:
    """Load a model written by :func:`save_model`, checking every sha256.

    Raises
    ------
    ModelFileError
        A file is missing, altered (sha256 mismatch), or of another format.
    """

    folder = Path(folder)
    manifest = _verified(folder, expected_manifest_sha256)
    try:
        names = [*_ARRAYS]
        # Only files the manifest lists (and _verified checked) are read.
        if f"{_SAMPLE_MASK}.npy" in manifest["files"]:
            names.append(_SAMPLE_MASK)
        arrays = {name: _load_array(folder / f"{name}.npy") for name in names}
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        dictionary = dictionary_from_json(
            json.loads((folder / "dictionary.json").read_text(encoding="utf-8"))
        )
        layers = json.loads((folder / "phrases.json").read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"{folder}: unreadable model file ({exc})") from exc
    try:
        return _assemble(folder, arrays, meta, dictionary, layers)
    except ModelFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        # A hand-edited model.json (whose manifest was edited to match) must
        # not surface as a traceback from deep inside gensim.
        field = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
        what = (
            f"field {field!r} is missing" if field else f"a field is malformed ({exc})"
        )
        raise ModelFileError(
            f"{folder}: model.json: {what}; the folder was not written by "
            "framing.frames.topics.save_model or was edited — refit and save the model"
        ) from exc


def _load_array(path: Path) -> np.ndarray:
    """Read a .npy file after checking that its header fits the file.

    A header may claim any shape; reading it blindly can ask for more memory
    than the machine has. The claimed size must match the bytes on disk.
    """
    with open(path, "rb") as handle:
        try:
            version = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(handle, max_header_size=10_000)
        except (ValueError, SyntaxError, OSError) as exc:
            raise ModelFileError(f"{path}: not a valid .npy array ({exc})") from exc
        if dtype.hasobject or dtype.kind not in "biuf":
            raise ModelFileError(
                f"{path}: unreadable model file: arrays must be numeric, not {dtype}"
            )
        claimed = int(np.prod(shape, dtype=object)) * dtype.itemsize
        available = path.stat().st_size - handle.tell()
        if claimed != available:
            raise ModelFileError(
                f"{path}: the header claims {claimed:,} bytes of data ({shape} "
                f"{dtype}) but the file holds {available:,}; the file is damaged"
            )
    return np.load(path, allow_pickle=False)


def _assemble(
    folder: Path,
    arrays: dict[str, np.ndarray],
    meta: dict[str, Any],
    dictionary: Any,
    layers: dict[str, Any],
) -> Any:
    from gensim.models import LdaModel

    from .model import TopicModel

    params = dict(meta["params"])
    for key in ("stop_words", "sample_by"):
        if key in params:
            params[key] = tuple(params[key])
    if isinstance(params.get("alpha"), list):
        params["alpha"] = np.asarray(params["alpha"])
    model = TopicModel(**params)
    k = int(params["k"])
    sstats = arrays["sstats"]
    if sstats.shape != (k, len(dictionary)):
        raise ModelFileError(
            f"{folder}: topic-word shape {sstats.shape} does not match k={k} and "
            f"{len(dictionary)} dictionary entries; the folder is inconsistent"
        )
    lda = LdaModel(
        num_topics=k,
        id2word=dictionary,
        alpha=arrays["alpha"],
        eta=arrays["eta"],
        random_state=params.get("random_state"),
        eval_every=None,
        chunksize=params.get("chunksize", 2000),
        passes=params.get("passes", 1),
        iterations=params.get("iterations", 50),
        dtype=np.dtype(meta["dtype"]).type,
    )
    lda.state.sstats = sstats.astype(lda.dtype, copy=False)
    lda.state.numdocs = int(meta["numdocs"])
    lda.num_updates = int(meta["num_updates"])
    lda.sync_state()
    model.model_ = lda
    model.dictionary_ = dictionary
    model.phrases_ = [
        {str(a): float(b) for a, b in layer.items()} for layer in layers["layers"]
    ]
    model.prepared_ = None
    model.bow_key_ = str(meta["bow_key"])
    model.doc_ids_ = [str(d) for d in meta["doc_ids"]]
    model.doc_lengths_ = arrays["doc_lengths"]
    model._gamma_ = arrays["gamma"]
    model.topic_word_ = lda.get_topics()
    model.topic_names_ = [str(n) for n in meta["topic_names"]]
    model.seed_words_missing_ = dict(meta["seed_words_missing"])
    model.reproducible_ = bool(meta["reproducible"])
    # Saved before sampling existed, or trained on every document: no sample.
    sample = meta.get("sample")
    mask = arrays.get(_SAMPLE_MASK)
    if (sample is None) != (mask is None):
        raise ModelFileError(
            f"{folder}: the sample record and {_SAMPLE_MASK}.npy must come "
            "together; the folder is inconsistent"
        )
    if mask is not None and mask.shape != (len(model.doc_ids_),):
        raise ModelFileError(
            f"{folder}: {_SAMPLE_MASK}.npy has shape {mask.shape}, not one entry "
            f"per document ({len(model.doc_ids_)}); the folder is inconsistent"
        )
    model.sample_ = None if sample is None else dict(sample)
    model.sample_doc_mask_ = None if mask is None else mask.astype(bool)
    model.sample_strata_ = strata_table(model.sample_)
    return model
