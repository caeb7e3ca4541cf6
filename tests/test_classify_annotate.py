"""Document-level annotation round trip with two simulated coders."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.annotation import CodingScheme
from framing.frames.classify import (
    document_agreement,
    gold_labels,
    read_sheets,
    sample_documents,
    write_adjudication,
    write_sheets,
)

SCHEME = CodingScheme.from_dict(
    {
        "name": "naming",
        "variables": [
            {
                "name": "naming",
                "codes": ["war", "smo", "other"],
                "labels": {"smo": "Special military operation"},
            }
        ],
    }
)
# Ten documents; the coders disagree on the 4th (war/smo) and 8th (other/war).
CODER_A = ["war"] * 4 + ["smo"] * 3 + ["other"] * 3
CODER_B = ["war"] * 3 + ["smo"] * 4 + ["war"] + ["other"] * 2
# By hand (nominal alpha, 2 coders, 10 units, 20 pairable values):
# value totals war 8, smo 7, other 5; D_o = 4 / 20 (two disagreeing units,
# each one ordered pair both ways); D_e = (20^2 - (64 + 49 + 25)) / (20 * 19)
# = 262 / 380; alpha = 1 - 0.2 * 380 / 262 = 93 / 131.
HAND_ALPHA = 93 / 131


def _fill_csv(path, codes_by_id):
    sheet = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    sheet["code_naming"] = sheet["doc_id"].map(codes_by_id)
    sheet.to_csv(path, index=False, encoding="utf-8-sig")


def _fill_xlsx(path, codes_by_id):
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook["coding"]
    header = [cell.value for cell in sheet[1]]
    id_col, code_col = header.index("doc_id") + 1, header.index("code_naming") + 1
    for row in range(2, sheet.max_row + 1):
        doc_id = sheet.cell(row, id_col).value
        if doc_id is not None:
            sheet.cell(row, code_col).value = codes_by_id[str(doc_id)]
    workbook.save(path)


def round_trip(documents, tmp_path, suffix):
    sample = sample_documents(documents, n=10, by=("outlet", "period"), seed=3)
    assert len(sample) == 10 and {"stratum", "weight"} <= set(sample.columns)
    ids = sorted(sample["doc_id"])
    paths = write_sheets(
        sample, tmp_path / "sheets", SCHEME, coders=["ann", "ben"], suffix=suffix
    )
    fill = _fill_xlsx if suffix == ".xlsx" else _fill_csv
    fill(paths["ann"], dict(zip(ids, CODER_A, strict=True)))
    fill(paths["ben"], dict(zip(ids, CODER_B, strict=True)))
    codings = read_sheets(paths, SCHEME)
    result = document_agreement(codings, SCHEME, n_boot=200)
    overall = result.table[result.table["code"] == ""].iloc[0]
    assert overall["alpha"] == pytest.approx(HAND_ALPHA, abs=1e-9)
    assert overall["percent_agreement"] == pytest.approx(0.8)
    assert overall["ci_low"] <= overall["alpha"] <= overall["ci_high"]

    disagreements = write_adjudication(
        codings, tmp_path / f"adjudicate{suffix}", SCHEME, sample=sample
    )
    assert sorted(disagreements["doc_id"]) == [ids[3], ids[7]]
    adjudicated = tmp_path / "adjudicated.csv"
    written = disagreements.copy()
    written["final"] = ["smo" if d == ids[3] else "other" for d in written["doc_id"]]
    written.to_csv(adjudicated, index=False, encoding="utf-8-sig")
    gold = gold_labels(codings, adjudicated, SCHEME).set_index("doc_id")
    assert gold.loc[ids[3], "naming"] == "smo"
    assert gold.loc[ids[3], "naming_source"] == "adjudicated"
    assert gold.loc[ids[0], "naming_source"] == "agreed"
    assert len(gold) == 10
    return paths


def synthetic_documents():
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(40)],
            "outlet": ["kyiv", "moscow"] * 20,
            "published": pd.date_range("2022-01-01", periods=40, freq="9D", tz="UTC"),
            "title": [f"Headline {i}" for i in range(40)],
            "text": [f"=Text {i} starts with an equals sign" for i in range(40)],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_two_coders_round_trip_gives_hand_computed_alpha(tmp_path, suffix):
    paths = round_trip(synthetic_documents(), tmp_path, suffix)
    if suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(paths["ann"])
        assert "codebook" in workbook.sheetnames
        assert workbook["coding"].data_validations.dataValidation


def test_invalid_code_is_reported_with_sheet_row_and_value(tmp_path):
    from framing.annotation import AnnotationError

    sample = sample_documents(synthetic_documents(), n=10, seed=3)
    paths = write_sheets(sample, tmp_path, SCHEME, coders=["ann"], suffix=".csv")
    codes = dict.fromkeys(sample["doc_id"], "war")
    codes[sorted(codes)[0]] = "genocide"
    _fill_csv(paths["ann"], codes)
    with pytest.raises(AnnotationError, match="genocide") as info:
        read_sheets(paths, SCHEME)
    assert "row" in str(info.value) and "ann.csv" in str(info.value)


@pytest.mark.realdata
def test_round_trip_on_a_real_corpus(real_corpus, tmp_path):
    corpus = real_corpus("kremlin-zelenskyy-2022")
    round_trip(corpus, tmp_path, ".xlsx")
