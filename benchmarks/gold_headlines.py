"""Sampler for the war-naming gold set of English agency headlines.

Draws the items that a human coder labels by hand for
``framing/frames/gold/war-naming-headlines.csv`` from the ``ru-state-headlines``
corpus (one headline per document). It never assigns a label: it finds
candidate mentions with a broad regex of its own (not the toolkit's lexicon),
draws a seeded sample stratified by outlet and by frame word, adds headlines
without any candidate word that still talk about the war (to look for
namings the regex missed), and writes a coding sheet with the context.

Outlets are split by outlet: ``mfa``, ``kremlin`` and ``sputnik`` are the
development outlets, ``tass`` and ``mod`` the test outlets.

Run::

    FRAMING_DATA_MIRROR=/work/shared/corpora \\
        python benchmarks/gold_headlines.py --out /tmp/gold_headlines_sheet.csv
    python benchmarks/gold_headlines.py \\
        --check framing/frames/gold/war-naming-headlines.csv

The sheet holds source text and must not be committed; the gold file stores
offsets and the matched term only.

Round 2 (``--round 2``) is a fresh held-out sample for
``framing/frames/gold/war-naming-headlines-2.csv``: seed ``SEED + 2``, test
outlets only, and no document that appears in the round-1 gold file (its test
rows were seen by the detector's developers, so they no longer give an honest
held-out figure)::

    python benchmarks/gold_headlines.py --round 2 \\
        --out /tmp/gold_headlines2_sheet.csv
    python benchmarks/gold_headlines.py \\
        --check framing/frames/gold/war-naming-headlines-2.csv

Round 3 (``--round 3``, seed ``SEED + 4``) samples the test-outlet documents
that are in neither earlier round: every "war" candidate left and enough of
the other frame words to score them. The rules were revised after round 2's
errors, which came from these outlets, so round 3 tests unseen documents, not
unseen outlets. Two coders code it independently
(``war-naming-headlines-3a.csv`` and ``-3b.csv``) so that agreement is
measured.

Round 4 (``--round 4``, seed ``SEED + 6``) samples the test-outlet documents in
no earlier round, after the rules were revised on round 3's errors. Round 3
took every "war" candidate, so round 4 tests the other frame words and the
voice of their headlines, again coded twice (``-4a.csv``, ``-4b.csv``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

from framing.datasets.build import build_corpus  # noqa: E402
from framing.errors import FramingError  # noqa: E402
from framing.frames.validation import GOLD_COLUMNS as VALIDATION_GOLD_COLUMNS

CORPUS = "ru-state-headlines"
SEED = 20261201
DEV_OUTLETS = ("mfa", "kremlin", "sputnik")
TEST_OUTLETS = ("tass", "mod")
# The toolkit reads this format (framing.frames.validation.read_gold).
GOLD_COLUMNS = list(VALIDATION_GOLD_COLUMNS)

# Longer alternatives come first so that "special military operation" is one
# candidate, not three.
CANDIDATE_RE = re.compile(
    r"\b(?:"
    r"special\s+military\s+operations?|military\s+operations?"
    r"|special\s+op(?:eration)?s?|SMO|civil\s+wars?"
    r"|wars?|warfare|wartime|conflicts?"
    r"|invasions?|invad(?:e|ed|es|ing)|invaders?|incursions?"
    r"|aggression|aggressors?|cris[ie]s|operations?"
    r"|denazi\w*|demilitari[sz]\w*"
    r")\b",
    re.IGNORECASE,
)

# Headlines that talk about the war's places, actors or settlement; used to
# look for namings the candidate regex misses.
WAR_TOPIC_RE = re.compile(
    r"\b(?:Ukrain\w*|Kiev|Kyiv|Donbass?|Kursk|Zelensk[iy]\w*|front[- ]?lines?"
    r"|Kharkov|Zaporozh\w*|Kherson|Novorossiya|Russian\s+forces"
    r"|Ukrainian\s+forces|troops|ceasefire|peace\s+talks|settlement)\b",
    re.IGNORECASE,
)

# Quota of sampled mentions per frame word, per split. Strata with fewer
# candidates are coded in full.
QUOTAS = {
    "dev": {
        "war": 34,
        "conflict": 22,
        "crisis": 18,
        "aggression": 22,
        "invasion": 26,
        "special-military-operation": 30,
        "military-operation": 10,
        "operation": 16,
        "civil-war": 10,
        "demilitarisation": 5,
        "denazification": 5,
    },
    "test": {
        "war": 34,
        "conflict": 34,
        "crisis": 30,
        "aggression": 30,
        "invasion": 32,
        "special-military-operation": 36,
        "military-operation": 30,
        "operation": 30,
        "civil-war": 10,
        "demilitarisation": 10,
        "denazification": 10,
    },
}
N_NO_MENTION_PER_OUTLET = 16
CONTEXT = 200

ROUND1_GOLD = Path(__file__).resolve().parents[1] / (
    "framing/frames/gold/war-naming-headlines.csv"
)
# Round 2 samples the test outlets only; strata missing from what is left of
# them after excluding round-1 documents simply contribute nothing.
ROUND2_QUOTAS = {
    "test": {
        "war": 130,
        "conflict": 60,
        "special-military-operation": 50,
        "crisis": 30,
        "invasion": 30,
        "operation": 30,
        "military-operation": 30,
        "aggression": 30,
        "civil-war": 30,
        "demilitarisation": 30,
        "denazification": 30,
    }
}
ROUND2_NO_MENTION_PER_OUTLET = 30

ROUND2_GOLD = ROUND1_GOLD.with_name("war-naming-headlines-2.csv")
# Round 3 takes every "war" candidate left in the test outlets (the frame whose
# held-out recall failed in round 2) and enough of the others to score them.
ROUND3_QUOTAS = {
    "test": {
        "war": 200,
        "conflict": 50,
        "special-military-operation": 40,
        "crisis": 20,
        "invasion": 20,
        "operation": 20,
    }
}
ROUND3_NO_MENTION_PER_OUTLET = 15

ROUND3_GOLD = ROUND1_GOLD.with_name("war-naming-headlines-3a.csv")
# Round 4: no "war" candidate is left; the Ministry of Defence headlines are
# mostly its own "special military operation", so tass carries the reported
# speech that voice accuracy has to be measured on.
ROUND4_QUOTAS = {
    "test": {
        "special-military-operation": 110,
        "conflict": 100,
        "operation": 50,
        "invasion": 30,
        "crisis": 10,
    }
}
ROUND4_NO_MENTION_PER_OUTLET = 15


class GoldOffsetError(FramingError):
    """A gold row's offsets do not point at its ``term`` in the stored text."""


def frame_word(match: str) -> str:
    """Map a candidate match to the frame word it is sampled under.

    Parameters
    ----------
    match : str
        The matched surface string.

    Returns
    -------
    str
        The stratum (a frame name, or ``operation`` for a bare "operation").

    Examples
    --------
    >>> frame_word("Special Op")
    'special-military-operation'
    >>> frame_word("invaders")
    'invasion'
    >>> frame_word("operations")
    'operation'
    """
    m = re.sub(r"\s+", " ", match.lower())
    if m.startswith("special") or m == "smo":
        return "special-military-operation"
    if m.startswith("military operation"):
        return "military-operation"
    if m.startswith("civil war"):
        return "civil-war"
    if m.startswith("war"):
        return "war"
    if m.startswith("conflict"):
        return "conflict"
    if m.startswith(("invas", "invad", "incursion")):
        return "invasion"
    if m.startswith("aggress"):
        return "aggression"
    if m.startswith("cris"):
        return "crisis"
    if m.startswith("denazi"):
        return "denazification"
    if m.startswith("demilitari"):
        return "demilitarisation"
    return "operation"


def split_of(outlet: str) -> str:
    """Return ``dev`` or ``test`` for an outlet (fixed split by outlet).

    Examples
    --------
    >>> split_of("tass"), split_of("mfa")
    ('test', 'dev')
    """
    return "dev" if outlet in DEV_OUTLETS else "test"


def candidates(df: pd.DataFrame) -> pd.DataFrame:
    """Every candidate mention in the headlines, one row per regex match.

    Examples
    --------
    >>> d = pd.DataFrame({"doc_id": ["a"], "outlet": ["tass"],
    ...                   "text": ["Ukraine conflict talks - Lavrov"]})
    >>> candidates(d)[["start", "end", "term", "stratum"]].values.tolist()
    [[8, 16, 'conflict', 'conflict']]
    """
    rows = []
    for doc_id, outlet, text in zip(
        df["doc_id"], df["outlet"], df["text"], strict=True
    ):
        for m in CANDIDATE_RE.finditer(text):
            rows.append(
                {
                    "doc_id": doc_id,
                    "outlet": outlet,
                    "start": m.start(),
                    "end": m.end(),
                    "term": m.group(0),
                    "stratum": frame_word(m.group(0)),
                }
            )
    return pd.DataFrame(rows)


def _allocate(sizes: dict[str, int], quota: int) -> dict[str, int]:
    """Split a stratum's quota evenly over outlets, capped at what each has.

    An outlet's unused share goes to the others, so that a small outlet is
    coded in full and one outlet's repetitive headlines do not fill a stratum.

    Examples
    --------
    >>> _allocate({"mod": 148, "tass": 17}, 32)
    {'mod': 16, 'tass': 16}
    >>> _allocate({"mod": 148, "tass": 10}, 32)
    {'mod': 22, 'tass': 10}
    """
    alloc = dict.fromkeys(sizes, 0)
    left = min(quota, sum(sizes.values()))
    while left > 0:
        open_ = sorted(o for o in sizes if alloc[o] < sizes[o])
        for o in open_:
            if left == 0:
                break
            alloc[o] += 1
            left -= 1
    return alloc


def sample_candidates(
    cands: pd.DataFrame,
    seed: int = SEED,
    quotas: dict[str, dict[str, int]] | None = None,
) -> pd.DataFrame:
    """Seeded sample stratified by split, frame word and outlet."""
    quotas = QUOTAS if quotas is None else quotas
    rng = random.Random(seed)
    picked = []
    for (split, stratum), group in sorted(
        cands.assign(split=cands["outlet"].map(split_of)).groupby(["split", "stratum"]),
        key=lambda kv: kv[0],
    ):
        quota = quotas.get(str(split), {}).get(str(stratum), 0)
        sizes = {str(k): int(v) for k, v in group["outlet"].value_counts().items()}
        for outlet, k in sorted(_allocate(sizes, quota).items()):
            rows = group[group["outlet"] == outlet].sort_values(["doc_id", "start"])
            idx = sorted(rng.sample(range(len(rows)), k))
            picked.append(rows.iloc[idx])
    return pd.concat(picked, ignore_index=True).assign(source="candidate")


def sample_no_mention(
    df: pd.DataFrame, seed: int = SEED, per_outlet: int = N_NO_MENTION_PER_OUTLET
) -> pd.DataFrame:
    """Seeded sample of war-topic headlines without any candidate word."""
    rng = random.Random(seed + 1)
    has_cand = df["text"].map(lambda t: CANDIDATE_RE.search(t) is not None)
    topical = df["text"].map(lambda t: WAR_TOPIC_RE.search(t) is not None)
    pool = df[topical & ~has_cand].sort_values("doc_id")
    picked = []
    for outlet in sorted(pool["outlet"].unique()):
        rows = pool[pool["outlet"] == outlet]
        k = min(per_outlet, len(rows))
        picked.append(rows.iloc[sorted(rng.sample(range(len(rows)), k))])
    out = pd.concat(picked, ignore_index=True)
    return pd.DataFrame(
        {
            "doc_id": out["doc_id"],
            "outlet": out["outlet"],
            "start": 0,
            "end": out["text"].str.len(),
            "term": "",
            "stratum": "none",
            "source": "miss-check",
        }
    )


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT) : start]
    right = text[end : end + CONTEXT]
    if start == 0 and end == len(text):
        return text
    return f"{left}[{text[start:end]}]{right}"


def build_sheet(seed: int = SEED) -> pd.DataFrame:
    """The coding sheet: sampled rows in item order, with context."""
    corpus = build_corpus(CORPUS)
    df = corpus.articles(columns=["doc_id", "outlet", "published", "text"])
    sample = pd.concat(
        [sample_candidates(candidates(df), seed), sample_no_mention(df, seed)],
        ignore_index=True,
    )
    sample["split"] = sample["outlet"].map(split_of)
    # Dev rows first so that they can be coded and released before test rows;
    # a headline's mentions stay together.
    sample["_s"] = sample["split"].map({"dev": 0, "test": 1})
    sample["_src"] = sample["source"].map({"candidate": 0, "miss-check": 1})
    sample = sample.sort_values(["_s", "_src", "outlet", "doc_id", "start"])
    sample = sample.drop(columns=["_s", "_src"]).reset_index(drop=True)
    texts = df.set_index("doc_id")
    sample["published"] = [str(texts.at[d, "published"])[:10] for d in sample["doc_id"]]
    sample["context"] = [
        _context(str(texts.at[d, "text"]), int(s), int(e))
        for d, s, e in zip(
            sample["doc_id"], sample["start"], sample["end"], strict=True
        )
    ]
    sample.insert(0, "item", [f"h{i:04d}" for i in range(1, len(sample) + 1)])
    sample.insert(1, "corpus", CORPUS)
    return sample


def round1_doc_ids(path: Path = ROUND1_GOLD) -> set[str]:
    """Every document that appears in an earlier round's gold file.

    Examples
    --------
    >>> "05084762f941db99" in round1_doc_ids()
    True
    """
    if not path.exists():
        raise GoldOffsetError(
            f"{path}: an earlier round's gold file is missing, so a later round "
            "cannot exclude its documents. Fix: run from a checkout that has it."
        )
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    return set(gold["doc_id"])


def build_sheet_round2(seed: int = SEED + 2) -> pd.DataFrame:
    """The round-2 coding sheet: a fresh sample of the test outlets.

    Documents already in round 1 are excluded. Rows come in a seeded random
    order of headlines (a headline's mentions stay together), so that a coder
    who runs out of time still leaves a sample mixed over outlets and frames.
    """
    return _heldout_sheet(
        seed,
        round1_doc_ids(),
        ROUND2_QUOTAS,
        ROUND2_NO_MENTION_PER_OUTLET,
        item_prefix="H",
    )


def build_sheet_round3(seed: int = SEED + 4) -> pd.DataFrame:
    """The round-3 coding sheet: test-outlet documents in neither earlier round.

    Round 3 is coded twice, independently, so that agreement can be measured.
    """
    seen = round1_doc_ids() | round1_doc_ids(ROUND2_GOLD)
    return _heldout_sheet(
        seed, seen, ROUND3_QUOTAS, ROUND3_NO_MENTION_PER_OUTLET, item_prefix="R"
    )


def build_sheet_round4(seed: int = SEED + 6) -> pd.DataFrame:
    """The round-4 coding sheet: test-outlet documents in no earlier round."""
    seen = round1_doc_ids() | round1_doc_ids(ROUND2_GOLD) | round1_doc_ids(ROUND3_GOLD)
    return _heldout_sheet(
        seed, seen, ROUND4_QUOTAS, ROUND4_NO_MENTION_PER_OUTLET, item_prefix="Q"
    )


def _heldout_sheet(
    seed: int,
    seen: set[str],
    quotas: dict[str, dict[str, int]],
    no_mention_per_outlet: int,
    *,
    item_prefix: str,
) -> pd.DataFrame:
    corpus = build_corpus(CORPUS)
    df = corpus.articles(columns=["doc_id", "outlet", "published", "text"])
    df = df[df["outlet"].isin(TEST_OUTLETS) & ~df["doc_id"].isin(seen)]
    sample = pd.concat(
        [
            sample_candidates(candidates(df), seed, quotas),
            sample_no_mention(df, seed + 1, no_mention_per_outlet),
        ],
        ignore_index=True,
    )
    sample["split"] = sample["outlet"].map(split_of)
    docs = sorted(sample["doc_id"].unique())
    random.Random(seed).shuffle(docs)
    order = {d: i for i, d in enumerate(docs)}
    sample["_o"] = sample["doc_id"].map(order)
    sample = sample.sort_values(["_o", "start", "end"]).drop(columns="_o")
    sample = sample.reset_index(drop=True)
    texts = df.set_index("doc_id")
    sample["published"] = [str(texts.at[d, "published"])[:10] for d in sample["doc_id"]]
    sample["context"] = [
        _context(str(texts.at[d, "text"]), int(s), int(e))
        for d, s, e in zip(
            sample["doc_id"], sample["start"], sample["end"], strict=True
        )
    ]
    items = [f"{item_prefix}{i:04d}" for i in range(1, len(sample) + 1)]
    sample.insert(0, "item", items)
    sample.insert(1, "corpus", CORPUS)
    return sample


def check_gold(path: Path) -> Iterator[str]:
    """Yield one problem per gold row whose offsets miss its ``term``."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in gold.columns]
    if missing or list(gold.columns) != GOLD_COLUMNS:
        raise GoldOffsetError(
            f"{path}: columns {list(gold.columns)} are not {GOLD_COLUMNS}. "
            "Fix: write the gold file with exactly these columns, in this order."
        )
    df = build_corpus(CORPUS).articles(columns=["doc_id", "text"])
    texts = dict(zip(df["doc_id"], df["text"], strict=True))
    for row in gold.itertuples(index=False):
        text = texts.get(row.doc_id)
        if text is None:
            yield f"{row.item}: doc_id {row.doc_id} not in {CORPUS}"
            continue
        start, end = int(str(row.start)), int(str(row.end))
        if row.term == "" and row.frame == "none":
            if not (0 <= start < end <= len(text)):
                yield f"{row.item}: span {start}:{end} outside the text"
        elif text[start:end] != row.term:
            yield f"{row.item}: text[{start}:{end}] is not the term {row.term!r}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--round",
        type=int,
        choices=(1, 2, 3, 4),
        default=1,
        help="2: fresh test-outlet sample, seed SEED+2, round-1 documents "
        "excluded; 3: seed SEED+4, round-1 and round-2 documents excluded; "
        "4: seed SEED+6, documents of rounds 1-3 excluded",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--check", metavar="GOLD.csv")
    args = parser.parse_args()
    if args.check:
        problems = list(check_gold(Path(args.check)))
        for p in problems:
            print(p)
        print(f"{args.check}: {len(problems)} offset problems")
        if problems:
            raise GoldOffsetError(
                f"{args.check}: {len(problems)} rows have offsets that do not "
                "point at their term. Fix: recompute start/end from the text."
            )
        return
    if args.round == 4:
        seed = SEED + 6 if args.seed is None else args.seed
        out = args.out or "/tmp/gold_headlines4_sheet.csv"
        sheet = build_sheet_round4(seed)
    elif args.round == 3:
        seed = SEED + 4 if args.seed is None else args.seed
        out = args.out or "/tmp/gold_headlines3_sheet.csv"
        sheet = build_sheet_round3(seed)
    elif args.round == 2:
        seed = SEED + 2 if args.seed is None else args.seed
        out = args.out or "/tmp/gold_headlines2_sheet.csv"
        sheet = build_sheet_round2(seed)
    else:
        seed = SEED if args.seed is None else args.seed
        out = args.out or "/tmp/gold_headlines_sheet.csv"
        sheet = build_sheet(seed)
    sheet.to_csv(out, index=False)
    counts = sheet.groupby(["split", "stratum"]).size().unstack(0).fillna(0)
    print(counts.astype(int).to_string())
    print(f"{len(sheet)} rows written to {out} (contains source text)")


if __name__ == "__main__":
    try:
        main()
    except FramingError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
