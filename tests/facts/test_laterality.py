"""Laterality and knee detection from SNOMED CT, ICD-10-CM and free text."""

from __future__ import annotations

import pytest

from trialdesk.facts.laterality import is_site, laterality_of
from trialdesk.facts.record import Coding, Laterality

SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
L, R, B = Laterality.LEFT, Laterality.RIGHT, Laterality.BILATERAL


def sct(code: str, display: str | None = None) -> Coding:
    return Coding(SCT, code, display)


def icd(code: str) -> Coding:
    return Coding(ICD, code)


@pytest.mark.parametrize(
    ("codings", "expected"),
    [
        ([sct("7771000")], L),
        ([sct("24028007")], R),
        ([sct("51440002")], B),
        ([sct("72696002"), sct("7771000")], L),  # knee region + Left qualifier
        ([sct("49076000"), sct("24028007")], R),  # knee joint + Right qualifier
        ([sct("82169009")], L),  # Structure of left knee region
        ([sct("6757004")], R),  # Structure of right knee region
        ([sct("82169009"), sct("6757004")], B),  # both knees named
        ([sct("72696002:272741003=7771000")], L),  # post-coordinated
        ([sct("72696002 |Knee region| : 272741003 |Laterality| = 24028007 |Right|")], R),
        ([Coding("urn:oid:2.16.840.1.113883.6.96", "7771000")], L),  # SNOMED by OID
        ([sct("72696002")], None),  # knee, side not said
        ([], None),
    ],
)
def test_snomed(codings: list[Coding], expected: Laterality | None) -> None:
    assert laterality_of(codings) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("M00.061", R),  # Staphylococcal arthritis, right knee
        ("M00.062", L),
        ("M00.069", None),
        ("M05.761", R),  # RA with rheumatoid factor of right knee w/o organ involvement
        ("M05.762", L),
        ("M05.861", R),
        ("M06.061", R),  # RA without rheumatoid factor, right knee
        ("M06.062", L),
        ("M17.0", B),  # bilateral primary OA of knee
        ("M17.11", R),
        ("M17.12", L),
        ("M1712", L),  # without the dot
        ("m17.12", L),  # lower case
        ("M17.10", None),
        ("M17.2", B),
        ("M17.31", R),
        ("M17.32", L),
        ("M17.4", B),
        ("M17.5", None),
        ("M17.9", None),
        ("M22.01", R),
        ("M22.2X2", L),
        ("M25.561", R),  # pain in right knee
        ("M25.562", L),
        ("S83.511A", R),  # ACL sprain, right knee, initial encounter
        ("S83.512D", L),
        ("S83.519A", None),
        ("S83.411A", R),  # MCL
        ("S83.422S", L),  # LCL
        ("S83.91XA", R),  # sprain of unspecified site of right knee
        ("S83.92XA", L),
        ("S83.90XA", None),
        ("M06.9", None),  # RA, unspecified: no side
        ("M16.11", None),  # right hip: not encoded, not guessed
    ],
)
def test_icd10cm(code: str, expected: Laterality | None) -> None:
    assert laterality_of([icd(code)]) is expected


def test_who_icd10_has_no_laterality() -> None:
    # WHO ICD-10 M17.1 is "Other primary gonarthrosis": no side.
    assert laterality_of([Coding("http://hl7.org/fhir/sid/icd-10", "M17.1")]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Osteoarthritis of left knee", L),
        ("Right knee effusion", R),
        ("knee, left", L),
        ("Cellulitis, Knee, Right", R),  # HL7 AU Core body-site guidance, text-only laterality
        ("Pain in both knees", B),
        ("bilateral knees", B),
        ("left and right knees", B),
        ("Left knee and right knee", B),
        ("Knee pain", None),
        ("left hip", None),
        ("", None),
    ],
)
def test_free_text(text: str, expected: Laterality | None) -> None:
    assert laterality_of([], text) is expected
    assert laterality_of([Coding("http://example.org/local", "X1", text or None)]) is expected


def test_codes_win_over_text() -> None:
    assert laterality_of([icd("M17.11")], "left knee") is R


@pytest.mark.parametrize(
    ("codings", "text", "expected"),
    [
        ([sct("72696002")], None, True),
        ([sct("49076000")], None, True),
        ([sct("82169009")], None, True),
        ([sct("6757004")], None, True),
        ([sct("7771000")], None, False),  # a side alone is not a knee
        ([sct("69896004", "Rheumatoid arthritis")], None, False),
        ([icd("M17.9")], None, True),
        ([icd("M23.221")], None, True),  # internal derangement of knee
        ([icd("S83.511A")], None, True),
        ([icd("M25.561")], None, True),
        ([icd("M25.551")], None, False),  # pain in right hip
        ([icd("M06.9")], None, False),
        ([], "Injection into the right knee joint", True),
        ([Coding("local", "K", "KNEE")], None, True),
        ([], "kneecap", False),
        ([], None, False),
    ],
)
def test_is_knee(codings: list[Coding], text: str | None, expected: bool) -> None:
    assert is_site(codings, text, "knee") is expected
