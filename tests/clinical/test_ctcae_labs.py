"""CTCAE v5.0 grading of every lab the study's visit forms collect, and haemoglobin in
mmol/L against "Hemoglobin increased" (CTCAE prints it in g/dL only: converted through
haemoglobin's molar mass, clinical/units.py).

Boundaries are hand-computed from the CTCAE v5.0 grade texts (terms_v5.csv) quoted above
each table; tests/clinical/test_ctcae.py tests every other table at its boundaries.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from trialdesk.clinical.ctcae import ctcae_terms, grade_lab
from trialdesk.clinical.ctcae.lab_table import all_lab_terms, lab_terms, not_graded
from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.study.loader import load_study

STUDY = load_study("NCT06947746")


def _collected() -> list[tuple[str, str, str | None]]:
    """(form, SDTM LB test code, the item's unit) of every lab result the forms collect."""
    return [
        (form.id, item.sdtm.testcd, item.unit)
        for form in STUDY.forms.values()
        for item in form.items
        if item.sdtm is not None
        and item.sdtm.domain == "LB"
        and item.sdtm.testcd
        and item.sdtm.variable is None
    ]


def test_every_lab_the_forms_collect_is_graded_or_says_why_not() -> None:
    collected = _collected()
    assert {code for _, code, _ in collected} >= {
        "HGB", "WBC", "NEUT", "LYM", "PLAT", "ALT", "AST", "BILI", "ALP", "CREAT", "GLUC",
        "UREA", "CRP", "ESR",
    }  # fmt: skip
    for form, code, _ in collected:
        assert lab_terms(code) or not_graded(code), f"{form}: {code} neither graded nor listed"
    for code in ("CRP", "ESR", "UREA"):  # CTCAE v5.0 has no term graded on them
        assert not lab_terms(code) and not_graded(code)
        assert grade_lab(code, 50, "mg/L") is None


@pytest.mark.parametrize(("form", "code", "unit"), _collected())
def test_each_threshold_converts_to_the_unit_the_form_collects(
    form: str, code: str, unit: str | None
) -> None:
    # every absolute threshold of the lab's terms is compared in the form's unit (SI here):
    # grading exactly at it, converted, must not need a unit it cannot reach
    for term in lab_terms(code):
        for criteria in term.grades.values():
            for c in criteria:
                if c.reference is not None:
                    continue
                threshold_unit, number = c.threshold(canonical_unit(unit))
                at = convert(float(number), threshold_unit, unit or "", analyte=term.substance)
                graded = grade_lab(code, at, unit, lln=at * 2, uln=at * 3)
                assert graded is not None, (form, code, c.text)


def test_every_term_is_spelled_as_nci_prints_it() -> None:
    # the citation of each row is its CTCAE v5.0 term: one of the 837, with its MedDRA code
    for term in all_lab_terms():
        found = ctcae_terms().named(term.term)
        assert found is not None and found.term == term.term and len(found.meddra_code) == 8


# Hemoglobin increased: 1 "Increase in >0 - 2 g/dL", 2 ">2 - 4 g/dL", 3 ">4 g/dL" (above the
# ULN, labs.yaml reading). 2 g/dL = 20 g/L / 16 114.5 g/mol = 1.24111824754 mmol/L.
TWO_G_PER_DL_IN_MMOL = Decimal("1.24111824754")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", 0),  # = ULN
        ("10.0001", 1),
        ("11.2411", 1),  # ULN + 1.24110 mmol/L: not yet 2 g/dL above
        ("11.2412", 2),  # ULN + 1.24120: past 2 g/dL
        ("12.4822", 2),  # ULN + 2.48220: not yet 4 g/dL above (2.48223649508)
        ("12.4823", 3),
    ],
)
def test_haemoglobin_increased_in_mmol_per_l_at_its_boundaries(value: str, expected: int) -> None:
    graded = grade_lab("HGB", Decimal(value), "mmol/L", lln=7.5, uln=10)
    assert graded is not None
    assert graded.grade == expected
    if expected:
        assert graded.term == "Hemoglobin increased"
        assert "g/dL" in graded.rule  # the offset as CTCAE prints it, converted in the rule


def test_the_conversion_is_ctcaes_own_pairing() -> None:
    # CTCAE v5.0 pairs Anemia's "<10.0 g/dL" with "<6.2 mmol/L" and "<8.0 g/dL" with "<4.9"
    assert round(convert(10.0, "g/dL", "mmol/L", analyte="hemoglobin"), 1) == 6.2
    assert abs(convert(8.0, "g/dL", "mmol/L", analyte="hemoglobin") - 4.96) < 0.01
    assert 2 * float(TWO_G_PER_DL_IN_MMOL) == pytest.approx(
        convert(4.0, "g/dL", "mmol/L", analyte="hemoglobin"), rel=1e-9
    )


@pytest.mark.parametrize(("g_per_dl", "expected"), [(17.9, 1), (18.1, 2), (19.9, 2), (20.1, 3)])
def test_mmol_per_l_and_g_per_dl_agree(g_per_dl: float, expected: int) -> None:
    # ULN 16 g/dL: increases of 1.9, 2.1, 3.9 and 4.1 g/dL
    in_dl = grade_lab("HGB", g_per_dl, "g/dL", lln=12, uln=16)
    mmol = convert(g_per_dl, "g/dL", "mmol/L", analyte="hemoglobin")
    uln = convert(16, "g/dL", "mmol/L", analyte="hemoglobin")
    in_mmol = grade_lab("HGB", round(mmol, 6), "mmol/L", lln=7, uln=round(uln, 6))
    assert in_dl is not None and in_mmol is not None
    assert in_dl.grade == in_mmol.grade == expected
