"""Manual coding: sample units, hand out coding sheets, read them back,
measure agreement, adjudicate and build a gold table.

The round trip, for any coding scheme (the voice of a naming now, document
frames later):

1. :func:`stratified_sample` draws the units to code, with weights that
   undo the stratification in later estimates;
2. :func:`write_coding_sheet` writes one sheet per coder (``.xlsx`` with
   drop-down lists of the codes and a ``codebook`` sheet, or ``.csv``);
3. :func:`read_coding_sheet` reads a filled sheet back, checks every code
   and reports *all* problems at once, by file, sheet, row and value;
4. :func:`agreement` gives Krippendorff's alpha with bootstrap CIs, overall
   and per code;
5. :func:`adjudication_sheet` lists the disagreements for an adjudicator,
   and :func:`merge_adjudicated` turns agreed and adjudicated codes into the
   gold table.

Coding scheme format
--------------------
A scheme is a TOML file (or the equivalent dict, see
:meth:`CodingScheme.from_dict`):

.. code-block:: toml

    name = "voice"
    description = "Whose voice names the event."      # optional

    [[variables]]
    name = "voice"                                    # column code_voice
    codes = ["own", "quoted", "scare", "attributed", "negated"]
    labels = { own = "Own voice", quoted = "Direct quotation" }  # optional
    description = "Who uses the term in this sentence?"
    multi = false          # optional; true: several codes, separated by ';'

Codes are case-sensitive, non-empty strings. A code without a label is
shown with the code as its label. In a ``multi`` variable a unit can carry
several codes, written ``"a;b"``; they are stored in scheme order, so
``"b;a"`` and ``"a;b"`` are the same value.

The codings table
-----------------
:func:`read_coding_sheet` returns, and :func:`agreement`,
:func:`adjudication_sheet` and :func:`merge_adjudicated` take, a tidy
table with one row per unit, coder and variable: ``unit_id`` (text),
``coder``, ``variable`` and ``value`` (missing where the coder left the
cell blank). Concatenate the tables of several coders with
:func:`pandas.concat`.

Modules
-------
The package is split by responsibility; everything is importable from
``framing.annotation``:

* :mod:`~framing.annotation.scheme` -- :class:`CodingScheme`,
  :class:`CodeVariable`, :class:`AnnotationError` and :class:`SchemeError`;
* :mod:`~framing.annotation.sampling` -- :func:`stratified_sample`;
* :mod:`~framing.annotation.sheets` -- :func:`write_coding_sheet` and
  :func:`read_coding_sheet`, with the cell, atomic-writing and xlsx helpers;
* :mod:`~framing.annotation.agreement` -- :func:`agreement` and
  :class:`AgreementResult`;
* :mod:`~framing.annotation.adjudication` -- :func:`adjudication_sheet` and
  :func:`merge_adjudicated`.
"""

from __future__ import annotations

from .adjudication import ADJUDICATION_SHEET as ADJUDICATION_SHEET
from .adjudication import adjudication_sheet, merge_adjudicated
from .agreement import AgreementResult, agreement
from .agreement import _alpha_from_counts as _alpha_from_counts
from .sampling import stratified_sample
from .scheme import MAX_LISTED_PROBLEMS as MAX_LISTED_PROBLEMS
from .scheme import MULTI_SEPARATOR as MULTI_SEPARATOR
from .scheme import AnnotationError, CodeVariable, CodingScheme, SchemeError
from .sheets import CODEBOOK_SHEET as CODEBOOK_SHEET
from .sheets import CODING_SHEET as CODING_SHEET
from .sheets import read_coding_sheet, write_coding_sheet

__all__ = [
    "AnnotationError",
    "SchemeError",
    "CodeVariable",
    "CodingScheme",
    "AgreementResult",
    "stratified_sample",
    "write_coding_sheet",
    "read_coding_sheet",
    "agreement",
    "adjudication_sheet",
    "merge_adjudicated",
]
