"""The side of the knee as exports write it beyond the codes test_laterality.py covers
(issue 19, I4): the ICD-10-CM synovitis codes, LOINC-style names ("US Knee - right"),
Chinese (右膝, 左侧膝关节, 双膝), and a body site sent as text only."""

from __future__ import annotations

import pytest

from trialdesk.facts.laterality import foreign_site, is_site, laterality_of, side_on
from trialdesk.facts.record import Coding, Fact, FactKind, Laterality

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
L, R, B = Laterality.LEFT, Laterality.RIGHT, Laterality.BILATERAL


@pytest.mark.parametrize(
    ("code", "expected"),
    [("M65.861", R), ("M65.862", L), ("M65.869", None), ("M65.86", None)],
)
def test_icd10cm_synovitis_of_the_lower_leg_gives_the_knee_side(
    code: str, expected: Laterality | None
) -> None:
    coding = Coding(ICD, code)
    assert laterality_of([coding], site="knee") is expected
    assert is_site([coding], None, "knee")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("US Knee - right", R),
        ("MR knee – left", L),
        ("knee: right", R),
        ("右膝关节滑膜炎", R),
        ("左侧膝关节", L),
        ("双膝", B),
        ("两膝关节肿痛", B),
        ("左膝、右膝", B),
        ("膝关节滑膜炎", None),  # the knee, no side
        ("右肩", None),  # a shoulder is not a knee
        ("kneeleft", None),  # words, not letters run together
    ],
)
def test_words_name_the_side_of_the_knee(text: str, expected: Laterality | None) -> None:
    assert laterality_of([], text, site="knee") is expected


@pytest.mark.parametrize(("text", "knee"), [("右膝", True), ("双膝", True), ("右肩", False)])
def test_chinese_words_name_the_site(text: str, knee: bool) -> None:
    assert is_site([], text, "knee") is knee


def test_an_eye_in_chinese_is_read_for_the_eye() -> None:
    assert laterality_of([], "右眼黄斑变性", site="eye") is R
    assert laterality_of([], "右眼黄斑变性", site="knee") is None


def _with_site(text: str) -> Fact:
    """A finding whose body site came as text only (fhir_clinical.body_sites_of)."""
    return Fact(FactKind.OBSERVATION, "Observation/x", body_site=(Coding("", "", text),))


def test_a_body_site_in_words_places_the_fact() -> None:
    assert side_on(_with_site("右膝"), "knee") is R
    assert foreign_site(_with_site("right knee"), "knee") is None
    # a site in words that is not the knee: its side cannot be the knee's
    assert foreign_site(_with_site("right shoulder"), "knee") is not None
    assert side_on(_with_site("right shoulder"), "knee") is None
