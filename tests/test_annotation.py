"""Manual coding round trip: schemes, sampling, coding sheets, agreement and
adjudication.

Reference values are computed by hand in the tests (coincidence matrices
written out) or taken from Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability", not from the code under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from framing.annotation import (
    AnnotationError,
    CodingScheme,
    SchemeError,
    _alpha_from_counts,
    adjudication_sheet,
    agreement,
    merge_adjudicated,
    read_coding_sheet,
    stratified_sample,
    write_coding_sheet,
)
from framing.errors import FramingError

VOICE_TOML = """
name = "voice"
description = "Whose voice names the event."

[[variables]]
name = "voice"
codes = ["own", "quoted", "scare", "attributed", "negated"]
labels = { own = "Own voice", quoted = "Direct quotation", scare = "Scare quotes" }
description = "Who uses the term in this sentence?"
"""

# Two coders, 10 units; they disagree on unit 4 (own vs quoted) and on
# unit 10 (scare vs own) and nowhere else.
ANN = ["own", "own", "own", "own", "quoted", "quoted", "quoted", "scare", "scare"]
ANN = [*ANN, "scare"]
BEN = ["own", "own", "own", "quoted", "quoted", "quoted", "quoted", "scare", "scare"]
BEN = [*BEN, "own"]
UNIT_IDS = [f"u{i:02d}" for i in range(1, 11)]


def hand_alpha_overall() -> float:
    """Nominal alpha of ANN/BEN from the coincidence matrix, by hand.

    With two coders every unit adds its ordered pairs (a, b) and (b, a),
    each with weight 1 / (m_u - 1) = 1.

    coincidence o (rows/cols: own, quoted, scare)
        own:    2*3 (units 1-3) | 1 (unit 4)   | 1 (unit 10)
        quoted: 1 (unit 4)      | 2*3 (5-7)    | 0
        scare:  1 (unit 10)     | 0            | 2*2 (units 8-9)
    """
    o = np.array([[6, 1, 1], [1, 6, 0], [1, 0, 4]], dtype=float)
    n_c = o.sum(axis=1)  # 8, 7, 5
    n = o.sum()  # 20 pairable values
    disagree_observed = o.sum() - np.trace(o)  # sum over c != k of o_ck = 4
    disagree_expected = n**2 - (n_c**2).sum()  # sum over c != k of n_c n_k = 262
    return 1 - (n - 1) * disagree_observed / disagree_expected  # 1 - 76/262


def hand_alpha_own() -> float:
    """Alpha of the binary 'own' vs 'not own' coding, by hand.

    coincidence (rows/cols: not own, own)
        not own: 2*5 (units 5-9) | 1 (unit 4) + 1 (unit 10)
        own:     2               | 2*3 (units 1-3)
    """
    o = np.array([[10, 2], [2, 6]], dtype=float)
    n_c = o.sum(axis=1)  # 12, 8
    n = o.sum()
    return 1 - (n - 1) * (n - np.trace(o)) / (n**2 - (n_c**2).sum())  # 1 - 76/192


def long_codings(values_by_coder: dict[str, list[str | None]]) -> pd.DataFrame:
    rows = [
        {"unit_id": unit, "coder": coder, "variable": "voice", "value": value}
        for coder, values in values_by_coder.items()
        for unit, value in zip(UNIT_IDS, values, strict=True)
    ]
    return pd.DataFrame(rows)


@pytest.fixture()
def scheme(tmp_path: Path) -> CodingScheme:
    path = tmp_path / "voice.toml"
    path.write_text(VOICE_TOML, encoding="utf-8")
    return CodingScheme.from_toml(path)


@pytest.fixture()
def units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sentence_id": UNIT_IDS,
            "sentence": [
                f"Sentence {i} about the 'special operation'." for i in range(10)
            ],
            "outlet": ["kremlin"] * 5 + ["kyiv"] * 5,
        }
    )


def fill_sheet(
    path: Path, codes: list[str | None], *, column: str = "code_voice"
) -> None:
    """Act as a coder: type codes into the sheet with openpyxl."""
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    for row, code in enumerate(codes, start=2):
        ws.cell(row=row, column=col, value=code)
    wb.save(path)


# --- coding scheme ----------------------------------------------------------------


def test_scheme_from_toml(scheme: CodingScheme) -> None:
    assert scheme.name == "voice"
    voice = scheme.variable("voice")
    assert voice.codes == ("own", "quoted", "scare", "attributed", "negated")
    assert voice.labels["own"] == "Own voice"
    assert voice.labels["negated"] == "negated"  # unlabeled code shows itself
    assert voice.column == "code_voice"
    book = scheme.codebook()
    assert list(book.columns) == ["variable", "code", "label", "description"]
    assert len(book) == 5


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('name = "x"\nbogus = 1\n[[variables]]\nname="v"\ncodes=["a","b"]', "bogus"),
        ('name = "x"', "variables"),
        ('name = "x"\n[[variables]]\nname="v"\ncodes=["a","a"]', "variables[0].codes"),
        ('name = "x"\n[[variables]]\nname="v"\ncodes=["a"]', "variables[0].codes"),
        (
            'name = "x"\n[[variables]]\nname="v"\ncodes=["a","b"]\nlabels={c="C"}',
            "variables[0].labels",
        ),
        ('name = "x"\n[[variables]]\nname="has space"\ncodes=["a","b"]', "name"),
    ],
)
def test_scheme_errors_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError) as info:
        CodingScheme.from_toml(path)
    assert str(path) in str(info.value)
    assert repr(key).strip("'") in str(info.value)
    assert isinstance(info.value, FramingError)


def test_scheme_invalid_toml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = ", encoding="utf-8")
    with pytest.raises(SchemeError, match="broken.toml: not valid"):
        CodingScheme.from_toml(path)


# --- stratified sample ------------------------------------------------------------


def population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outlet": ["a"] * 600 + ["b"] * 300 + ["c"] * 95 + ["d"] * 5,
            "year": ([2022, 2023] * 500),
            "text": [f"t{i}" for i in range(1000)],
        }
    )


def test_stratified_sample_proportional_and_weighted() -> None:
    frame = population()
    sample = stratified_sample(frame, by="outlet", n=100, seed=3)
    counts = sample["stratum"].value_counts().to_dict()
    # Proportional shares are 60, 30, 9.5, 0.5; 'd' is lifted to its minimum
    # of 1, and the remaining 99 are shared over 995: 59.70, 29.85, 9.45.
    # Floors 59 + 29 + 9 = 97; the two leftover units go to the largest
    # fractions (0.85 for b, 0.70 for a).
    assert counts == {"a": 60, "b": 30, "c": 9, "d": 1}
    assert sample["weight"].sum() == pytest.approx(len(frame))
    assert sample.loc[sample["stratum"] == "d", "weight"].iloc[0] == pytest.approx(5)
    assert sample.loc[sample["stratum"] == "c", "weight"].iloc[0] == pytest.approx(
        95 / 9
    )
    assert sample.index.is_monotonic_increasing
    assert sample.index.is_unique


def test_stratified_sample_deterministic_and_seeded() -> None:
    frame = population()
    first = stratified_sample(frame, by=["outlet", "year"], n=50, seed=7)
    again = stratified_sample(frame, by=["outlet", "year"], n=50, seed=7)
    other = stratified_sample(frame, by=["outlet", "year"], n=50, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.index) != list(other.index)
    assert set(first["stratum"]) == {f"{o} | {y}" for o in "abcd" for y in (2022, 2023)}
    assert first["weight"].sum() == pytest.approx(1000)


def test_stratified_sample_min_per_stratum() -> None:
    frame = population()
    sample = stratified_sample(frame, by="outlet", n=20, seed=0, min_per_stratum=3)
    counts = sample["stratum"].value_counts()
    assert counts.min() >= 3
    assert counts.sum() == 20
    assert sample["weight"].sum() == pytest.approx(1000)
    # 6 + 6 + 6 + 5 (stratum 'd' has only 5 rows) = 23 > 20.
    with pytest.raises(ValueError, match="min_per_stratum=6 over 4 strata.*needs 23"):
        stratified_sample(frame, by="outlet", n=20, min_per_stratum=6)


def test_stratified_sample_small_stratum_taken_whole() -> None:
    frame = population()
    sample = stratified_sample(frame, by="outlet", n=40, min_per_stratum=10)
    assert (sample["stratum"] == "d").sum() == 5  # all 5 of the tiny stratum
    assert sample.loc[sample["stratum"] == "d", "weight"].eq(1.0).all()


def test_stratified_sample_errors() -> None:
    frame = population()
    with pytest.raises(ValueError, match="larger than the population"):
        stratified_sample(frame, by="outlet", n=1001)
    with pytest.raises(ValueError, match=r"\['nope'\] not in the frame"):
        stratified_sample(frame, by="nope", n=10)


# --- coding sheets ----------------------------------------------------------------


def test_xlsx_sheet_has_dropdowns_codebook_and_frozen_header(
    tmp_path: Path, scheme: CodingScheme, units: pd.DataFrame
) -> None:
    path = write_coding_sheet(
        units,
        tmp_path / "ann.xlsx",
        scheme,
        id_column="sentence_id",
        context_columns=["sentence", "outlet"],
        coder="ann",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.xlsx", "voice.toml"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["coding", "codebook"]
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    assert header == [
        "sentence_id",
        "sentence",
        "outlet",
        "code_voice",
        "coder",
        "comment",
    ]
    assert ws.freeze_panes == "A2"
    assert ws["B2"].alignment.wrap_text
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    assert [ws.cell(row=r, column=5).value for r in range(2, 12)] == ["ann"] * 10
    assert all(ws.cell(row=r, column=4).value is None for r in range(2, 12))
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    (dv,) = validations
    assert dv.type == "list"
    assert dv.formula1 == '"own,quoted,scare,attributed,negated"'
    assert str(dv.sqref) == "D2:D11"  # every unit row of code_voice
    assert dv.showErrorMessage
    book = list(wb["codebook"].values)
    assert book[0] == ("variable", "code", "label", "description")
    assert book[1] == (
        "voice",
        "own",
        "Own voice",
        "Who uses the term in this sentence?",
    )
    assert [row[1] for row in book[1:]] == list(scheme.variable("voice").codes)


def test_write_refuses_to_overwrite_and_bad_inputs(
    tmp_path: Path, scheme: CodingScheme, units: pd.DataFrame
) -> None:
    path = tmp_path / "ann.csv"
    kwargs = {"id_column": "sentence_id", "context_columns": ["sentence"]}
    write_coding_sheet(units, path, scheme, **kwargs)
    with pytest.raises(AnnotationError, match="already exists.*overwrite=True"):
        write_coding_sheet(units, path, scheme, **kwargs)
    write_coding_sheet(units, path, scheme, overwrite=True, **kwargs)
    with pytest.raises(AnnotationError, match="use a .xlsx or .csv"):
        write_coding_sheet(units, tmp_path / "ann.ods", scheme, **kwargs)
    dup = pd.concat([units, units.iloc[[0]]])
    with pytest.raises(ValueError, match="duplicate ids"):
        write_coding_sheet(dup, tmp_path / "dup.csv", scheme, **kwargs)


def test_invalid_code_in_xlsx_names_sheet_row_and_value(
    tmp_path: Path, scheme: CodingScheme, units: pd.DataFrame
) -> None:
    path = write_coding_sheet(
        units,
        tmp_path / "ann.xlsx",
        scheme,
        id_column="sentence_id",
        context_columns=[],
    )
    codes: list[str | None] = list(ANN)
    codes[2] = "ownn"  # unit 3, on spreadsheet row 4
    codes[6] = "Quoted"  # case matters
    fill_sheet(path, codes)
    with pytest.raises(AnnotationError) as info:
        read_coding_sheet(path, scheme, id_column="sentence_id")
    message = str(info.value)
    assert (
        f"{path} sheet coding row 4: column code_voice: 'ownn' is not a code; "
        "allowed: ['own', 'quoted', 'scare', 'attributed', 'negated']"
    ) in message
    assert f"{path} sheet coding row 8: column code_voice: 'Quoted'" in message
    assert len(info.value.problems) == 2


def test_blank_codes_are_problems_unless_allowed(
    tmp_path: Path, scheme: CodingScheme, units: pd.DataFrame
) -> None:
    path = write_coding_sheet(
        units,
        tmp_path / "ann.xlsx",
        scheme,
        id_column="sentence_id",
        context_columns=[],
    )
    codes: list[str | None] = list(ANN)
    codes[4] = None
    fill_sheet(path, codes)
    with pytest.raises(AnnotationError, match=r"row 6: column code_voice: blank"):
        read_coding_sheet(path, scheme, id_column="sentence_id")
    read = read_coding_sheet(path, scheme, id_column="sentence_id", allow_blank=True)
    assert read["value"].isna().tolist() == [i == 4 for i in range(10)]


def test_duplicate_id_and_csv_row_numbers(tmp_path: Path, scheme: CodingScheme) -> None:
    path = tmp_path / "ben.csv"
    path.write_text(
        "id,sentence,code_voice,coder,comment\n"
        'a,"two\nlines",own,,\n'
        "b,x,quoted,,\n"
        "a,y,scare,,\n"
        "c,z,bogus,,\n",
        encoding="utf-8",
    )
    with pytest.raises(AnnotationError) as info:
        read_coding_sheet(path, scheme, id_column="id")
    problems = info.value.problems
    # CSV rows count records with the header as row 1 (a quoted line break
    # does not start a new row).
    assert problems[0] == (
        f"{path} row 4: column id: duplicate id 'a' (also row 2); each unit must "
        "appear once"
    )
    assert problems[1].startswith(f"{path} row 5: column code_voice: 'bogus' is not")
    assert "sheet" not in problems[1]


def test_many_problems_are_listed_up_to_twenty(
    tmp_path: Path, scheme: CodingScheme
) -> None:
    path = tmp_path / "sloppy.csv"
    path.write_text(
        "id,code_voice\n" + "".join(f"{i},nope\n" for i in range(30)), encoding="utf-8"
    )
    with pytest.raises(AnnotationError) as info:
        read_coding_sheet(path, scheme, id_column="id")
    assert len(info.value.problems) == 30
    assert str(info.value).count("'nope' is not a code") == 20
    assert "and 10 more" in str(info.value)


def test_coder_name_from_argument_column_or_file(
    tmp_path: Path, scheme: CodingScheme
) -> None:
    body = "id,code_voice,coder\n1,own,{0}\n2,quoted,{0}\n"
    (tmp_path / "file-name.csv").write_text(body.format(""), encoding="utf-8")
    (tmp_path / "named.csv").write_text(body.format("carla"), encoding="utf-8")
    read = read_coding_sheet(tmp_path / "file-name.csv", scheme, id_column="id")
    assert read["coder"].unique().tolist() == ["file-name"]
    read = read_coding_sheet(tmp_path / "named.csv", scheme, id_column="id")
    assert read["coder"].unique().tolist() == ["carla"]
    read = read_coding_sheet(
        tmp_path / "named.csv", scheme, id_column="id", coder="dan"
    )
    assert read["coder"].unique().tolist() == ["dan"]
    assert read["unit_id"].tolist() == ["1", "2"]


def test_semicolon_csv_from_excel_locale(tmp_path: Path, scheme: CodingScheme) -> None:
    path = tmp_path / "eu.csv"
    path.write_bytes("\ufeffid;code_voice\n1;own\n2;scare\n".encode())
    read = read_coding_sheet(path, scheme, id_column="id", coder="x")
    assert read["value"].tolist() == ["own", "scare"]


def test_missing_code_column_is_explained(tmp_path: Path, scheme: CodingScheme) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("id,code_frame\n1,own\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match="no column 'code_voice'"):
        read_coding_sheet(path, scheme, id_column="id")


# --- Krippendorff's alpha ---------------------------------------------------------


def test_alpha_matches_hand_computed_coincidences() -> None:
    result = agreement(long_codings({"ann": ANN, "ben": BEN}), n_boot=0)
    table = result.table.set_index("code")
    assert table.loc["", "alpha"] == pytest.approx(hand_alpha_overall(), abs=1e-9)
    assert hand_alpha_overall() == pytest.approx(186 / 262, abs=1e-15)
    assert table.loc["own", "alpha"] == pytest.approx(hand_alpha_own(), abs=1e-9)
    assert table.loc["", "percent_agreement"] == pytest.approx(0.8)
    assert table.loc["", "n_units"] == 10
    assert table.loc["", "n_coders"] == 2
    # 'scare' binarised: units 8-9 agree (scare), unit 10 does not.
    o = np.array([[14, 1], [1, 4]], dtype=float)
    n, n_c = o.sum(), o.sum(axis=1)
    scare = 1 - (n - 1) * (n - np.trace(o)) / (n**2 - (n_c**2).sum())
    assert table.loc["scare", "alpha"] == pytest.approx(scare, abs=1e-9)


def test_alpha_krippendorff_2011_published_example() -> None:
    # Krippendorff (2011), section C: 4 observers, 12 units, missing values;
    # published alpha_nominal = 0.743. Unit 12 has one value: not pairable.
    nan = None
    data = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    }
    rows = [
        {"unit_id": unit, "coder": coder, "variable": "v", "value": value}
        for coder, values in data.items()
        for unit, value in enumerate(values, start=1)
        if value is not None
    ]
    result = agreement(pd.DataFrame(rows), n_boot=200)
    overall = result.table.iloc[0]
    assert round(overall["alpha"], 3) == 0.743
    assert overall["n_units"] == 11
    assert overall["n_coders"] == 4
    assert overall["ci_low"] <= overall["alpha"] <= overall["ci_high"]


def test_bootstrap_statistic_is_krippendorffs_alpha() -> None:
    # The bootstrap recomputes alpha from weighted coincidences; with unit
    # weights of 1 (and of 2 = the data set twice) it must equal the package.
    import krippendorff

    rng = np.random.default_rng(42)
    for _ in range(20):
        data = rng.integers(0, 4, size=(3, 25)).astype(float)
        data[rng.random(data.shape) < 0.2] = np.nan
        keep = (~np.isnan(data)).sum(axis=0) >= 2
        data = data[:, keep]
        counts = np.stack([(data == v).sum(axis=0) for v in range(4)], axis=1)
        expected = krippendorff.alpha(
            reliability_data=data, level_of_measurement="nominal"
        )
        ones = np.ones((1, counts.shape[0]))
        assert _alpha_from_counts(ones, counts)[0] == pytest.approx(expected, abs=1e-12)
        doubled = np.hstack([data, data])
        expected2 = krippendorff.alpha(
            reliability_data=doubled, level_of_measurement="nominal"
        )
        assert _alpha_from_counts(2 * ones, counts)[0] == pytest.approx(
            expected2, abs=1e-12
        )


def test_agreement_bootstrap_is_seeded_and_brackets_alpha() -> None:
    codings = long_codings({"ann": ANN, "ben": BEN})
    first = agreement(codings, n_boot=500, seed=1).table
    again = agreement(codings, n_boot=500, seed=1).table
    other = agreement(codings, n_boot=500, seed=2).table
    pd.testing.assert_frame_equal(first, again)
    assert not first["ci_low"].equals(other["ci_low"])
    row = first.iloc[0]
    assert row["ci_low"] <= row["alpha"] <= row["ci_high"] <= 1


def test_agreement_undefined_alpha_is_nan_not_error() -> None:
    same = ["own"] * 10
    table = agreement(long_codings({"ann": same, "ben": same}), n_boot=50).table
    assert np.isnan(table.iloc[0]["alpha"])
    assert table.iloc[0]["percent_agreement"] == 1.0


def test_agreement_rejects_duplicate_codings() -> None:
    codings = long_codings({"ann": ANN, "ben": BEN})
    with pytest.raises(AnnotationError, match="coded more than once"):
        agreement(pd.concat([codings, codings]), n_boot=0)


def test_agreement_summary_and_exports() -> None:
    result = agreement(long_codings({"ann": ANN, "ben": BEN}), n_boot=100)
    summary = result.summary()
    assert isinstance(summary, str)
    assert "Krippendorff's alpha" in summary
    assert "0.710" in summary
    assert result.to_markdown().startswith("| variable | code | alpha |")
    latex = result.to_latex(label="tab:alpha")
    assert r"\begin{tabular}{llrrrrr}" in latex
    assert r"\label{tab:alpha}" in latex


def test_multi_variable_per_code_alpha() -> None:
    scheme = CodingScheme.from_dict(
        {
            "name": "frames",
            "variables": [{"name": "frames", "codes": ["war", "smo"], "multi": True}],
        }
    )
    codings = pd.DataFrame(
        {
            "unit_id": ["1", "2", "3", "1", "2", "3"],
            "coder": ["a"] * 3 + ["b"] * 3,
            "variable": "frames",
            "value": ["war;smo", "war", "smo", "smo;war", "war", "war"],
        }
    )
    table = agreement(codings, scheme=scheme, n_boot=0).table.set_index("code")
    # 'war': units (1: yes/yes, 2: yes/yes, 3: no/yes) -> o = [[0,1],[1,4]],
    # n_c = (1, 5): alpha = 1 - 5 * 2 / (36 - 1 - 25) = 0.
    assert table.loc["war", "alpha"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["war", "percent_agreement"] == pytest.approx(2 / 3)
    # 'smo': units (1: yes/yes, 2: no/no, 3: yes/no) -> o = [[2,1],[1,2]].
    assert table.loc["smo", "alpha"] == pytest.approx(1 - 5 * 2 / (36 - 18))
    # Overall, values are sets ("smo;war" is "war;smo"): units 1 and 2 agree,
    # unit 3 ({smo} vs {war}) does not.
    assert table.loc["", "percent_agreement"] == pytest.approx(2 / 3)


def test_atomic_write_keeps_old_file_on_failure(
    tmp_path: Path,
    scheme: CodingScheme,
    units: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kwargs = {"id_column": "sentence_id", "context_columns": ["sentence"]}
    path = write_coding_sheet(units, tmp_path / "ann.xlsx", scheme, **kwargs)
    before = path.read_bytes()

    def broken_save(self: object, filename: object) -> None:
        Path(str(filename)).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_coding_sheet(units, path, scheme, overwrite=True, **kwargs)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.xlsx", "voice.toml"]


# --- the full round trip ----------------------------------------------------------


def test_round_trip_two_coders_to_gold(
    tmp_path: Path, scheme: CodingScheme, units: pd.DataFrame
) -> None:
    kwargs = {"id_column": "sentence_id", "context_columns": ["sentence", "outlet"]}
    sheets = {}
    for coder, codes in (("ann", ANN), ("ben", BEN)):
        sheets[coder] = write_coding_sheet(
            units, tmp_path / f"{coder}.xlsx", scheme, coder=coder, **kwargs
        )
        fill_sheet(sheets[coder], list(codes))
    codings = pd.concat(
        [
            read_coding_sheet(p, scheme, id_column="sentence_id")
            for p in sheets.values()
        ],
        ignore_index=True,
    )
    assert list(codings.columns) == ["unit_id", "coder", "variable", "value"]
    assert len(codings) == 20
    assert sorted(codings["coder"].unique()) == ["ann", "ben"]

    result = agreement(codings, scheme=scheme, n_boot=1000, seed=0)
    table = result.table
    assert table["code"].tolist() == ["", *scheme.variable("voice").codes]
    assert table.iloc[0]["alpha"] == pytest.approx(hand_alpha_overall(), abs=1e-9)
    assert table.set_index("code").loc["own", "alpha"] == pytest.approx(
        hand_alpha_own(), abs=1e-9
    )
    # Codes nobody used have no variation: alpha undefined.
    assert np.isnan(table.set_index("code").loc["negated", "alpha"])

    adjudication = tmp_path / "adjudicate.xlsx"
    context = units.rename(columns={"sentence_id": "unit_id"})
    written = adjudication_sheet(codings, adjudication, context=context, scheme=scheme)
    assert written["unit_id"].tolist() == ["u04", "u10"]
    assert written[["ann", "ben"]].values.tolist() == [
        ["own", "quoted"],
        ["scare", "own"],
    ]
    wb = openpyxl.load_workbook(adjudication)
    assert wb.sheetnames == ["adjudication", "codebook"]
    ws = wb["adjudication"]
    header = [c.value for c in ws[1]]
    assert header == [
        "unit_id", "variable", "sentence", "outlet", "ann", "ben", "final", "comment"
    ]  # fmt: skip
    assert ws["C2"].value == units.loc[3, "sentence"]
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and str(dv.sqref) == "G2:G3"

    with pytest.raises(AnnotationError) as info:
        merge_adjudicated(codings, adjudication, scheme=scheme)
    assert f"{adjudication} sheet adjudication row 2: column final: blank" in str(
        info.value
    )
    assert len(info.value.problems) == 2

    ws["G2"] = "quoted"
    ws["G3"] = "scare"
    wb.save(adjudication)
    gold = merge_adjudicated(codings, adjudication, scheme=scheme)
    assert list(gold.columns) == ["unit_id", "variable", "value", "source"]
    assert gold["unit_id"].tolist() == UNIT_IDS
    assert gold["source"].value_counts().to_dict() == {"agreed": 8, "adjudicated": 2}
    expected = list(ANN)
    expected[3], expected[9] = "quoted", "scare"
    assert gold["value"].tolist() == expected


def test_merge_adjudicated_names_invalid_finals(
    tmp_path: Path, scheme: CodingScheme
) -> None:
    codings = long_codings({"ann": ANN, "ben": BEN})
    path = tmp_path / "adj.csv"
    sheet = adjudication_sheet(codings, path)
    sheet["final"] = ["quoted", "sc4re"]
    sheet.to_csv(path, index=False)
    with pytest.raises(AnnotationError) as info:
        merge_adjudicated(codings, path, scheme=scheme)
    assert info.value.problems == [
        f"{path} row 3: column final: 'sc4re' is not a code; allowed: "
        "['own', 'quoted', 'scare', 'attributed', 'negated']"
    ]
    sheet.iloc[:1].to_csv(path, index=False)  # a disagreement without a row
    with pytest.raises(
        AnnotationError, match="'u10' variable 'voice' is a disagreement"
    ):
        merge_adjudicated(codings, path, scheme=scheme)


def test_single_coded_and_blank_units(tmp_path: Path, scheme: CodingScheme) -> None:
    codings = pd.DataFrame(
        {
            "unit_id": ["1", "2", "3", "1", "2"],
            "coder": ["ann", "ann", "ann", "ben", "ben"],
            "variable": "voice",
            "value": ["own", "own", "scare", "own", None],
        }
    )
    path = tmp_path / "adj.csv"
    sheet = adjudication_sheet(codings, path)
    assert sheet["unit_id"].tolist() == ["2"]  # a blank needs a decision
    sheet["final"] = "quoted"
    sheet.to_csv(path, index=False)
    gold = merge_adjudicated(codings, path, scheme=scheme)
    assert gold.to_dict(orient="list") == {
        "unit_id": ["1", "2", "3"],
        "variable": ["voice"] * 3,
        "value": ["own", "quoted", "scare"],
        "source": ["agreed", "adjudicated", "single"],
    }
