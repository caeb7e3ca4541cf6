"""Fetch a card's raw files, verified by sha256.

A card's local files (``path`` entries) are read where they are, checked
against their sha256 when the card gives one. Other files come from the
offline mirror when ``FRAMING_DATA_MIRROR`` names a folder that holds them
(as ``<mirror>/<corpus>/<file>`` or ``<mirror>/<file>``), and are otherwise
downloaded from the card's URL into the cache with pooch. Either way the
sha256 must match the card: raw data is used only byte-identical to
upstream.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import DataUnavailableError, HashMismatchError
from ..paths import cache_dir, mirror_dir
from .cards import CorpusCard, SourceFile

__all__ = [
    "SEED_ARTICLE",
    "SEED_DOC_ID",
    "fetch_file",
    "fetch_corpus",
    "corpus_unavailable",
    "load_seed_article",
    "locate_in_mirror",
    "sha256_file",
]

#: The news article the project started from (Reuters, 2023), by id and by
#: its path in the mirror. It is copyrighted: read from the mirror only,
#: never downloaded, copied or shown in full.
SEED_DOC_ID = "reuters-putin-xi-2023"
SEED_ARTICLE = Path("seed") / f"{SEED_DOC_ID}.txt"


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def corpus_unavailable(name: str) -> str | None:
    """Why a registered corpus's raw files cannot be had, or ``None``.

    Files found in the mirror are enough; otherwise they are downloaded and
    verified (which needs the network). Tests and notebooks use the reason
    to skip with a message that says how to enable them.
    """
    from .cards import find_card

    card = find_card(name)
    missing = [
        f.name
        for f in card.files
        if f.local is None and locate_in_mirror(card, f) is None
    ]
    if not missing:
        return None
    try:
        fetch_corpus(card)
    except DataUnavailableError as exc:
        return f"{name}: {missing} not in the mirror, download failed ({exc})"
    return None


def load_seed_article() -> str:
    """The seed article's text, cleaned as every stored text is.

    Its own voice says "invasion" while it quotes the Kremlin's "special
    military operation": the case the voice detector must get right.

    Raises
    ------
    DataUnavailableError
        The mirror is not set or does not hold ``seed/<article>``.
    """
    from ..normalize import clean_text

    mirror = mirror_dir()
    path = mirror / SEED_ARTICLE if mirror is not None else None
    if path is None or not path.is_file():
        raise DataUnavailableError(
            f"{path or SEED_ARTICLE}: the seed article is read from the offline "
            "mirror only; set FRAMING_DATA_MIRROR to a folder holding "
            f"{SEED_ARTICLE} (e.g. ../shared/corpora)"
        )
    return clean_text(path.read_text(encoding="utf-8"))


def locate_in_mirror(card: CorpusCard, source: SourceFile) -> Path | None:
    """Path of ``source`` in the offline mirror, or ``None``."""
    mirror = mirror_dir()
    if mirror is None or source.local is not None:
        return None
    for candidate in (mirror / card.name / source.name, mirror / source.name):
        if candidate.is_file():
            return candidate
    return None


def fetch_file(card: CorpusCard, source: SourceFile) -> Path:
    """Return a local, verified copy of one registered file.

    Raises
    ------
    HashMismatchError
        The mirror or downloaded file is not the registered one.
    DataUnavailableError
        Not in the mirror and the download failed (e.g. offline), or a
        local file is gone.
    """
    if source.local is not None:
        if not source.local.is_file():
            raise DataUnavailableError(
                f"{card.path}: the file {source.local} ({source.name}) is gone; "
                "restore it or fix the card's `path`"
            )
        if source.sha256 is not None:
            actual = sha256_file(source.local)
            if actual != source.sha256:
                raise HashMismatchError(source.local, source.sha256, actual)
        return source.local
    assert source.url is not None and source.sha256 is not None
    local = locate_in_mirror(card, source)
    if local is not None:
        actual = sha256_file(local)
        if actual != source.sha256:
            raise HashMismatchError(local, source.sha256, actual)
        return local
    target_dir = cache_dir() / "downloads" / card.name
    target = target_dir / source.name
    if target.is_file():
        actual = sha256_file(target)
        if actual == source.sha256:
            return target
        raise HashMismatchError(target, source.sha256, actual)
    import pooch

    try:
        fetched = pooch.retrieve(
            url=source.url,
            known_hash=f"sha256:{source.sha256}",
            fname=source.name,
            path=target_dir,
            progressbar=False,
        )
    except ValueError as exc:
        # pooch reports a hash mismatch as ValueError and deletes the file.
        raise HashMismatchError(
            source.url, source.sha256, _actual_hash(str(exc), source.sha256)
        ) from exc
    except Exception as exc:  # network errors come in many types
        mirror = mirror_dir()
        where = (
            f"not in the mirror {mirror}"
            if mirror
            else "FRAMING_DATA_MIRROR is not set"
        )
        raise DataUnavailableError(
            f"{card.name}/{source.name}: {where}, and downloading {source.url} failed "
            f"({type(exc).__name__}: {exc}). Fix: set FRAMING_DATA_MIRROR to a folder "
            f"holding {card.name}/{source.name}, or connect to the network."
        ) from exc
    return Path(fetched)


def _actual_hash(message: str, expected: str) -> str:
    for word in message.replace("'", " ").replace(".", " ").replace(":", " ").split():
        if (
            len(word) == 64
            and word != expected
            and all(c in "0123456789abcdef" for c in word)
        ):
            return word
    return "unknown"


def fetch_corpus(card: CorpusCard) -> dict[str, Path]:
    """Fetch every file of a card; file name -> local path."""
    return {source.name: fetch_file(card, source) for source in card.files}
