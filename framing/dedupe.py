"""Exact and near-duplicate detection for streamed corpora.

Wire copy republished by several outlets is the common case of duplication
in news corpora. :class:`Deduplicator` sees each document once, in reading
order, and keeps only a small fixed-size fingerprint per document in memory
(a few hundred bytes); MinHash signatures go to a scratch file on disk. After
the stream, :meth:`Deduplicator.resolve` groups documents into clusters:

* **exact** duplicates share the sha256 of their normalised text;
* **near** duplicates have an estimated Jaccard similarity of their word
  shingles (``shingle_size`` consecutive lower-cased words) of at least
  ``threshold``. Candidates come from MinHash locality-sensitive hashing
  (datasketch signatures; ``b`` bands of ``r`` rows chosen by datasketch for
  the threshold) and are then verified on the full signatures.

Each cluster's canonical member is its earliest-published document (read
order breaks ties; undated documents come last). Nothing is dropped here:
the corpus builder writes canonical members to the articles table and the
others, with their cluster, to the duplicates table.

Two settings restrict which documents may be duplicates of each other:

* ``scope="outlet"``: only documents of the same outlet (``scope="corpus"``,
  the default, pairs documents across outlets: wire copy and reposts);
* ``window``: a duration (``"12h"``, ``"3d"``; ``0`` is unlimited, the
  default). Two documents published further apart than the window are never
  duplicates, so a daily rubric or a weekly report repeated on other days is
  kept.

Candidates still come only from the exact hashes and the LSH buckets; scope
and time gap are checked when a candidate pair is formed. With a window the
clusters are formed greedily in publication order so that they cannot chain
across the window: a document is a duplicate of the earliest *kept*
(canonical) document that matches it and was published at most ``window``
before it; a document without one is kept and becomes canonical. Every
member of a cluster therefore lies within ``window`` after its canonical
member, so no two members of a cluster are further apart than the window.
Undated documents are never duplicates when a window is set (their gap is
unknown). The sweep holds only the canonical documents of the last window
in memory (per exact hash and per LSH bucket, at most
``_LIVE_PER_BUCKET`` each), so memory stays flat in the length of the
corpus. Without a window the clusters are the connected components of the
matching pairs (the behaviour before windows existed, kept so that stores
built with the default policy do not change).

The default ``threshold=0.8`` keeps wire copies with an added byline,
dateline or a trimmed last paragraph together while separating formulaic
releases that share only boilerplate (for example "telephone conversation
with ..." notices); lower it to catch heavier rewrites.
"""

from __future__ import annotations

import array
import hashlib
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = [
    "Deduplicator",
    "DuplicateAssignment",
    "MODES",
    "MinHashSigner",
    "SCOPES",
    "format_window",
    "lsh_band_keys",
    "parse_window",
    "shingle_hashes",
    "shingles",
]

_WORD = re.compile(r"\w+")
_NO_DATE = np.iinfo(np.int64).max
_BAND_BLOCK = 65_536  # documents per read of the band file
MODES = ("near", "exact", "off")
SCOPES = ("corpus", "outlet")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([wdhms]?)\s*$")
# Canonical documents remembered per LSH bucket while sweeping with a window.
_LIVE_PER_BUCKET = 16
# Drop buckets without a canonical document inside the window this often.
_PRUNE_EVERY = 50_000


def parse_window(value: str | int | float | None) -> int:
    """Seconds of a dedupe time window; ``0`` means unlimited.

    Parameters
    ----------
    value : str, int, float or None
        A duration such as ``"3d"``, ``"12h"``, ``"90m"``, ``"45s"`` or
        ``"1w"``; a bare number is seconds; ``None``, ``0`` or ``"0"`` is no
        window.

    Raises
    ------
    ValueError
        For anything else, with the accepted forms.

    Examples
    --------
    >>> parse_window("3d"), parse_window("12h"), parse_window("0"), parse_window(None)
    (259200, 43200, 0, 0)
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"window must be a duration such as '3d'; got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"window must not be negative; got {value!r}")
        return int(round(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(
            f"window must be a duration such as '3d', '12h', '90m', '1w' or "
            f"'0' (unlimited); got {value!r}"
        )
    number, unit = match.groups()
    return int(round(float(number) * _UNITS[unit or "s"]))


def format_window(seconds: int) -> str:
    """The shortest spelling of a window in seconds (``"0"``: unlimited).

    Examples
    --------
    >>> format_window(259200), format_window(43200), format_window(0)
    ('3d', '12h', '0')
    """
    if seconds <= 0:
        return "0"
    for unit, size in _UNITS.items():
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"  # pragma: no cover - "s" always divides


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word ``size``-grams of a text, lower-cased, punctuation ignored.

    Texts shorter than ``size`` words give one shingle of all their words.

    Examples
    --------
    >>> sorted(shingles("Russia's war, Russia's war!", size=3))
    [b'russia s war', b's war russia', b'war russia s']
    """
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {
        " ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)
    }


def shingle_hashes(text: str, size: int = 5) -> set[int]:
    """The CRC-32 of every shingle of :func:`shingles`, without making them.

    Examples
    --------
    >>> text = "Russia's war, Russia's war!"
    >>> shingle_hashes(text, size=3) == {zlib.crc32(s) for s in shingles(text, 3)}
    True
    """
    return set(_shingle_crcs(text, size).tolist())


_ASCII_WORD = re.compile(rb"\w+")


def _shingle_crcs(text: str, size: int) -> np.ndarray:
    """The CRC-32 of each shingle of :func:`shingles`, in text order.

    A repeated shingle is hashed again: the minimum a signature keeps is the
    same, and a set of the hashes cost more than the repeats. The words are
    encoded once and each shingle's bytes are joined and hashed in C (``map``
    over ``zip``); signing is most of a build's work.
    """
    lower = text.lower()
    if lower.isascii():
        # ASCII ``\w`` is Unicode ``\w`` on ASCII text, and bytes need no
        # encoding pass.
        encoded = _ASCII_WORD.findall(lower.encode("ascii"))
    else:
        encoded = " ".join(_WORD.findall(lower)).encode().split(b" ")
    count = len(encoded) - size + 1
    if count <= 1:
        return np.array([zlib.crc32(b" ".join(encoded))], dtype=np.uint32)
    # The shorter shifted copies end the windows at the last full shingle.
    windows = zip(*(encoded[offset:] for offset in range(size)), strict=False)
    return np.fromiter(
        map(zlib.crc32, map(b" ".join, windows)), dtype=np.uint32, count=count
    )


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch's "affine32" pre-mixes."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


class MinHashSigner:
    """The MinHash signature of a text, as the deduplicator computes it.

    Signatures are pure functions of the text and the parameters, so they
    can be computed on worker processes and handed to
    :meth:`Deduplicator.add` (``signature=``) with the same clusters as
    when the deduplicator computes them itself.

    Parameters
    ----------
    num_perm : int
    seed : int
    shingle_size : int

    Examples
    --------
    >>> sign = MinHashSigner(num_perm=16)
    >>> first = sign("Russian forces shelled the city overnight, officials said.")
    >>> first.dtype, first.shape
    (dtype('uint32'), (16,))
    >>> bool((first == sign("Russian forces shelled the city overnight, officials "
    ...                     "said.")).all())
    True
    """

    def __init__(self, *, num_perm: int = 128, seed: int = 1, shingle_size: int = 5):
        self.num_perm = num_perm
        self.seed = seed
        self.shingle_size = shingle_size
        # datasketch's permutations, applied here to a whole array of shingle
        # hashes at once: its update_batch calls a hash function per shingle,
        # which cost as much as hashing them. The scheme is named so that a
        # signature does not depend on datasketch's default.
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self._a = a.astype(np.uint32).reshape(1, -1)
        self._b = b.astype(np.uint32).reshape(1, -1)

    def __call__(self, text: str) -> np.ndarray:
        hashes = _shingle_crcs(text, self.shingle_size)
        permuted = _fmix32(hashes).reshape(-1, 1) * self._a
        permuted += self._b
        return permuted.min(axis=0)

    def __getstate__(self) -> dict[str, int]:
        # The permutations are rebuilt from the seed (cheaper than sending).
        return {"num_perm": self.num_perm, "seed": self.seed, "size": self.shingle_size}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.__init__(  # type: ignore[misc]
            num_perm=state["num_perm"], seed=state["seed"], shingle_size=state["size"]
        )


def lsh_band_keys(signature: np.ndarray, bands: int, rows: int) -> bytes:
    """The locality-sensitive-hashing bucket keys of a MinHash signature.

    Band ``i`` (signature values ``i * rows`` to ``(i + 1) * rows``) gets
    an 8-byte key; two documents share a bucket of a band when their keys
    for it are equal. A pure function, so that workers can compute the keys
    with the signatures.

    Examples
    --------
    >>> sign = MinHashSigner(num_perm=16)
    >>> keys = lsh_band_keys(sign("Grain left Odesa on Tuesday."), bands=4, rows=4)
    >>> len(keys)
    32
    """
    keys = array.array("Q")
    for band in range(bands):
        chunk = signature[band * rows : (band + 1) * rows].tobytes()
        keys.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest()))
    return keys.tobytes()


@dataclass(frozen=True, slots=True)
class DuplicateAssignment:
    """Where one document stands in its duplicate cluster.

    Attributes
    ----------
    canonical : int
        Read index of the cluster's canonical member.
    kind : str
        ``"exact"`` or ``"near"`` relative to the canonical member; ``""``
        for the canonical member itself.
    similarity : float
        Estimated Jaccard similarity to the canonical member (1 for exact).
    size : int
        Number of documents in the cluster.
    """

    canonical: int
    kind: str
    similarity: float
    size: int


class Deduplicator:
    """Stream documents in, get duplicate clusters out.

    Parameters
    ----------
    threshold : float
        Jaccard similarity at or above which two documents are near
        duplicates.
    num_perm : int
        MinHash permutations (signature length).
    shingle_size : int
        Words per shingle.
    near_duplicates : bool
        Look for near duplicates at all (exact ones are always found).
    seed : int
        Seed of the MinHash permutations.
    workdir : str or Path, optional
        Folder for the signature scratch file (default: a temporary folder).
    scope : {"corpus", "outlet"}
        Pair documents across outlets, or only within one outlet (the
        ``outlet`` given to :meth:`add`).
    window : str, int or float
        Longest time between two duplicates (see :func:`parse_window`);
        ``0`` is unlimited. See the module docstring for the semantics.

    Examples
    --------
    >>> dedupe = Deduplicator(threshold=0.8)
    >>> wire = "Russian forces shelled the city overnight, officials said. " * 8
    >>> dedupe.add(wire, published_us=2)
    0
    >>> dedupe.add(wire, published_us=1)
    1
    >>> dedupe.add("A different story about grain exports from Odesa.", published_us=3)
    2
    >>> clusters = dedupe.resolve()
    >>> clusters[0]
    DuplicateAssignment(canonical=1, kind='exact', similarity=1.0, size=2)
    >>> 2 in clusters
    False

    A weekly report repeated word for word is kept under a window of a day:

    >>> day = 86_400 * 10**6
    >>> weekly = Deduplicator(window="1d", near_duplicates=False)
    >>> for week in range(3):
    ...     _ = weekly.add("Weekly briefing, week by week", published_us=week * 7 * day)
    >>> weekly.resolve()
    {}
    """

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        shingle_size: int = 5,
        near_duplicates: bool = True,
        seed: int = 1,
        workdir: str | Path | None = None,
        scope: str = "corpus",
        window: str | int | float = 0,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.near_duplicates = near_duplicates
        self.seed = seed
        self.workdir = workdir
        self.scope = scope
        self.window = window
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {list(SCOPES)}, got {scope!r}")
        self.window_seconds_ = parse_window(window)
        self._published = array.array("q")
        self._outlet = array.array("i")
        self._outlet_codes: dict[str | None, int] = {}
        self._sha = bytearray()
        self._band_file = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._signature_file = None
        self._signer: MinHashSigner | None = None
        if near_duplicates:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            self.bands_, self.rows_ = lsh.b, lsh.r
            self._scratch = tempfile.TemporaryDirectory(
                prefix="framing-dedupe-", dir=workdir
            )
            self._signature_path = Path(self._scratch.name) / "signatures.u32"
            self._signature_file = open(self._signature_path, "w+b")  # noqa: SIM115
            # Band keys go to disk as well, a row per document; resolving
            # reads one band at a time (see `_band`).
            self._band_file = open(  # noqa: SIM115
                Path(self._scratch.name) / "bands.u64", "w+b"
            )
            self._signer = MinHashSigner(
                num_perm=num_perm, seed=seed, shingle_size=shingle_size
            )

    def __len__(self) -> int:
        return len(self._published)

    def add(
        self,
        text: str,
        *,
        published_us: int | None = None,
        text_sha256: str | None = None,
        outlet: str | None = None,
        signature: np.ndarray | None = None,
        keys: bytes | None = None,
    ) -> int:
        """Fingerprint one document and return its read index.

        Parameters
        ----------
        text : str
            The normalised text.
        published_us : int, optional
            Publication time in microseconds since the epoch (ties and
            undated documents: see the module docstring).
        text_sha256 : str, optional
            Hex sha256 of ``text``, if already computed.
        outlet : str, optional
            The document's outlet (used with ``scope="outlet"``).
        signature : ndarray of uint32, optional
            The text's MinHash signature, if already computed by a
            :class:`MinHashSigner` with this deduplicator's parameters
            (for example on a worker process).
        keys : bytes, optional
            The signature's LSH band keys, if already computed by
            :func:`lsh_band_keys` with ``bands_`` and ``rows_``.
        """
        index = len(self._published)
        if self.scope == "outlet":
            code = self._outlet_codes.setdefault(outlet, len(self._outlet_codes))
            self._outlet.append(code)
        digest = (
            bytes.fromhex(text_sha256)
            if text_sha256
            else hashlib.sha256(text.encode("utf-8")).digest()
        )
        self._sha += digest
        self._published.append(_NO_DATE if published_us is None else published_us)
        if self._signer is not None and self._signature_file is not None:
            if signature is None:
                signature = self._signer(text)
            elif signature.shape != (self.num_perm,):
                raise ValueError(
                    f"signature has shape {signature.shape}, not ({self.num_perm},)"
                )
            self._signature_file.write(signature.tobytes())
            assert self._band_file is not None
            if keys is None:
                keys = lsh_band_keys(signature, self.bands_, self.rows_)
            elif len(keys) != 8 * self.bands_:
                raise ValueError(
                    f"keys has {len(keys)} bytes, not {8 * self.bands_} "
                    f"(8 per band of {self.bands_})"
                )
            self._band_file.write(keys)
        return index

    def resolve(self) -> dict[int, DuplicateAssignment]:
        """Group the documents seen so far into clusters.

        Returns
        -------
        dict
            Read index -> :class:`DuplicateAssignment`, for members of
            clusters of two or more documents only.
        """
        count = len(self._published)
        sha = (
            np.frombuffer(bytes(self._sha), dtype="S32")
            if count
            else np.empty(0, "S32")
        )
        signatures = self._signatures(count)
        if self.window_seconds_ > 0:
            return self._resolve_windowed(sha, signatures)
        parent = np.arange(count, dtype=np.int64)

        def find(node: int) -> int:
            root = node
            while parent[root] != root:
                root = int(parent[root])
            while parent[node] != root:
                parent[node], node = root, int(parent[node])
            return root

        def union(a: int, b: int) -> None:
            root_a, root_b = find(a), find(b)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)

        outlets = self._outlets()
        exact_keys = sha
        if outlets is not None and count:
            # Same text in another outlet is another key.
            exact_keys = np.frombuffer(
                np.hstack(
                    [
                        sha.view(np.uint8).reshape(count, 32),
                        outlets.astype("<i4").view(np.uint8).reshape(count, 4),
                    ]
                ).tobytes(),
                dtype="S36",
            )
        for group in _equal_runs(exact_keys):
            for member in group[1:]:
                union(int(group[0]), int(member))

        if signatures is not None:
            for band_index in range(self.bands_):
                band = self._band(band_index, count)
                for group in _equal_runs(band):
                    self._verify_bucket(group, signatures, sha, union, find, outlets)

        roots = np.fromiter(
            (find(i) for i in range(count)), dtype=np.int64, count=count
        )
        return self._assign(roots, signatures, sha)

    def _outlets(self) -> np.ndarray | None:
        if self.scope != "outlet":
            return None
        return np.frombuffer(self._outlet, dtype=np.int32)

    def _verify_bucket(
        self,
        group: np.ndarray,
        signatures: _SignatureRows,
        sha: np.ndarray,
        union: Callable[[int, int], None],
        find: Callable[[int], int],
        outlets: np.ndarray | None = None,
    ) -> None:
        # Small buckets are checked pairwise; in large buckets (shared
        # boilerplate) each member is checked against a few earlier ones.
        members = [int(m) for m in group]
        for position, member in enumerate(members[1:], start=1):
            for other in members[max(0, position - 8) : position]:
                if outlets is not None and outlets[member] != outlets[other]:
                    continue
                if find(member) == find(other):
                    break
                if sha[member] == sha[other] or (
                    _jaccard(signatures[member], signatures[other]) >= self.threshold
                ):
                    union(member, other)
                    break

    def _resolve_windowed(
        self, sha: np.ndarray, signatures: _SignatureRows | None
    ) -> dict[int, DuplicateAssignment]:
        """Greedy sweep in publication order (see the module docstring)."""
        published = np.frombuffer(self._published, dtype=np.int64)
        window = self.window_seconds_ * 1_000_000
        outlets = self._outlets()
        dated = np.flatnonzero(published != _NO_DATE)
        # Stable: equal times keep read order, as canonical choice does.
        order = dated[np.argsort(published[dated], kind="stable")]
        count = len(published)
        bands = (
            [self._band(band, count) for band in range(self.bands_)]
            if signatures is not None
            else []
        )
        # Live canonical documents (read indices, oldest first) per key.
        exact_live: dict[Any, list[int]] = {}
        band_live: list[dict[Any, list[int]]] = [{} for _ in bands]
        matches: dict[int, tuple[int, str, float]] = {}
        for step, index in enumerate(order.tolist()):
            now = int(published[index])
            oldest = now - window
            outlet = int(outlets[index]) if outlets is not None else 0
            best: tuple[int, str, float] | None = None
            exact_key = (sha[index], outlet)
            live = exact_live.get(exact_key)
            if live:
                _expire(live, published, oldest)
                if live:
                    # Canonical documents of one text are more than a window
                    # apart, so at most one is live: the match.
                    best = (live[0], "exact", 1.0)
            for band, table in zip(bands, band_live, strict=True):
                bucket = table.get((int(band[index]), outlet))
                if not bucket:
                    continue
                _expire(bucket, published, oldest)
                for other in bucket:
                    if best is not None and (published[other], other) >= (
                        published[best[0]],
                        best[0],
                    ):
                        break
                    if sha[other] == sha[index]:
                        best = (other, "exact", 1.0)
                        break
                    assert signatures is not None
                    similarity = _jaccard(signatures[index], signatures[other])
                    if similarity >= self.threshold:
                        best = (other, "near", similarity)
                        break
            if best is not None:
                matches[index] = best
            else:
                exact_live.setdefault(exact_key, []).append(index)
                for band, table in zip(bands, band_live, strict=True):
                    bucket = table.setdefault((int(band[index]), outlet), [])
                    bucket.append(index)
                    if len(bucket) > _LIVE_PER_BUCKET:
                        del bucket[0]
            if step % _PRUNE_EVERY == _PRUNE_EVERY - 1:
                for live_table in (exact_live, *band_live):
                    _prune(live_table, published, oldest)
        sizes = Counter(canonical for canonical, _, _ in matches.values())
        assignments: dict[int, DuplicateAssignment] = {}
        for canonical, size in sizes.items():
            assignments[canonical] = DuplicateAssignment(canonical, "", 1.0, size + 1)
        for index, (canonical, kind, similarity) in matches.items():
            assignments[index] = DuplicateAssignment(
                canonical, kind, similarity, sizes[canonical] + 1
            )
        return dict(sorted(assignments.items()))

    def _band(self, band: int, count: int) -> np.ndarray:
        """The keys of one band for the first ``count`` documents.

        Read from the scratch file in blocks with ``os.pread``, so that the
        building process holds one band (8 bytes per document) at a time,
        not all of them while it reads the corpus.
        """
        assert self._band_file is not None
        self._band_file.flush()
        fd, width = self._band_file.fileno(), self.bands_
        keys = np.empty(count, dtype=np.uint64)
        for first in range(0, count, _BAND_BLOCK):
            rows = min(_BAND_BLOCK, count - first)
            data = os.pread(fd, rows * width * 8, first * width * 8)
            block = np.frombuffer(data, dtype=np.uint64).reshape(rows, width)
            keys[first : first + rows] = block[:, band]
        return keys

    def _signatures(self, count: int) -> _SignatureRows | None:
        if self._signature_file is None or count == 0:
            return None
        self._signature_file.flush()
        return _SignatureRows(self._signature_file.fileno(), self.num_perm)

    def _assign(
        self, roots: np.ndarray, signatures: _SignatureRows | None, sha: np.ndarray
    ) -> dict[int, DuplicateAssignment]:
        order = np.argsort(roots, kind="stable")
        published = np.frombuffer(self._published, dtype=np.int64)
        assignments: dict[int, DuplicateAssignment] = {}
        for group in _equal_runs(roots[order], order):
            if len(group) < 2:
                continue
            members = sorted(int(m) for m in group)
            canonical = min(members, key=lambda m: (published[m], m))
            for member in members:
                if member == canonical:
                    kind, similarity = "", 1.0
                elif sha[member] == sha[canonical]:
                    kind, similarity = "exact", 1.0
                else:
                    kind = "near"
                    similarity = (
                        _jaccard(signatures[member], signatures[canonical])
                        if signatures is not None
                        else 0.0
                    )
                assignments[member] = DuplicateAssignment(
                    canonical, kind, similarity, len(members)
                )
        return assignments

    def close(self) -> None:
        """Delete the scratch files."""
        if self._signature_file is not None:
            self._signature_file.close()
            self._signature_file = None
        if self._band_file is not None:
            self._band_file.close()
            self._band_file = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __del__(self) -> None:
        self.close()


class _SignatureRows:
    """Rows of the signature scratch file, read one at a time.

    Only the documents that share a band bucket are compared, so only their
    rows are read, with ``os.pread``: a memory map would count the pages
    that the kernel reads ahead around each row in the process's resident
    memory, which then grows with the corpus.
    """

    def __init__(self, fd: int, num_perm: int) -> None:
        self._fd = fd
        self._row_bytes = 4 * num_perm

    def __getitem__(self, index: int) -> np.ndarray:
        data = os.pread(self._fd, self._row_bytes, int(index) * self._row_bytes)
        return np.frombuffer(data, dtype=np.uint32)


def _expire(live: list[int], published: np.ndarray, oldest: int) -> None:
    """Drop canonical documents published before ``oldest`` (oldest first)."""
    while live and published[live[0]] < oldest:
        del live[0]


def _prune(table: dict[Any, list[int]], published: np.ndarray, oldest: int) -> None:
    """Forget keys whose newest canonical document left the window."""
    for key in [k for k, v in table.items() if published[v[-1]] < oldest]:
        del table[key]


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def _equal_runs(
    values: np.ndarray, index: np.ndarray | None = None
) -> list[np.ndarray]:
    """Groups of positions (or of ``index`` entries) holding equal values.

    With ``index`` given, ``values`` must already be sorted and the groups
    hold the matching entries of ``index``.
    """
    if len(values) == 0:
        return []
    if index is None:
        index = np.argsort(values, kind="stable")
        values = values[index]
    boundaries = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    # Only runs of two or more become arrays: splitting every run would
    # make one small array per document, a transient that grows with the
    # corpus.
    return [index[starts[i] : ends[i]] for i in np.flatnonzero(ends - starts > 1)]
