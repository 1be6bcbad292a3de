"""Which side of the body a coded site or diagnosis names, and whether it is a knee.

The study injects one target knee, so the engine needs to know when a condition, procedure or
body site is about the left knee, the right knee or both. Sources, read in this order:

1. SNOMED CT laterality qualifier values (on a body site, or as the value of the laterality
   attribute 272741003 |Laterality (attribute)| in a post-coordinated expression):
   7771000 |Left (qualifier value)|, 24028007 |Right (qualifier value)|,
   51440002 |Right and left (qualifier value)|.
2. SNOMED CT lateralised knee body structures (below).
3. ICD-10-CM codes whose side is fixed by the tabular list (below).
4. Free text ("left knee", "right knee", "both knees", "bilateral knees") in the text or a
   coding's display, only when no code says which side.

Only codes that were checked against at least one published source are listed; anything else
gives ``None`` (side unknown), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from trialdesk.patients.record import Coding, Laterality

__all__ = ["is_knee", "laterality_of"]

_SNOMED = frozenset(
    {"http://snomed.info/sct", "http://snomed.info/sct/", "urn:oid:2.16.840.1.113883.6.96"}
)
_ICD10CM = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90"})

L, R, B = Laterality.LEFT, Laterality.RIGHT, Laterality.BILATERAL

# SNOMED CT concepts that fix a side.
# Qualifier values: SNOMED CT International Edition, the value range of 272741003 |Laterality|.
# Knee regions: 82169009 |Structure of left knee region| and 6757004 |Structure of right knee
# region|, as used by the US VA mapping of VistA body sites to SNOMED CT
# (github.com/department-of-veterans-affairs/mhv-fhir-phr-mapping, ConceptMaps "KNEE" +
# "Laterality Left/Right") and by HL7 AU Core's guidance "Representing body site, which may
# include laterality" (Condition "Cellulitis, Right Knee" with bodySite 6757004; its text-only
# forms "Knee, Right" are why free text is read). Left/right knee *joint* structures are not
# listed: not verified.
_SNOMED_SIDE: dict[str, Laterality] = {
    "7771000": L,  # Left (qualifier value)
    "24028007": R,  # Right (qualifier value)
    "51440002": B,  # Right and left (qualifier value)
    "82169009": L,  # Structure of left knee region (body structure)
    "6757004": R,  # Structure of right knee region (body structure)
}

# SNOMED CT knee body structures (with or without a side).
# 72696002 |Knee region structure| (Australian Digital Health Agency FHIR IG, BodyStructure
# example "left-knee": location 72696002 + locationQualifier 7771000,
# build.fhir.org/ig/AuDigitalHealth/ci-fhir-r4/BodyStructure-left-knee.html);
# 49076000 |Knee joint structure|.
_SNOMED_KNEE = frozenset({"72696002", "49076000", "82169009", "6757004"})

# SNOMED CT compositional grammar: "<focus>:272741003=<side>" (272741003 |Laterality|).
_SNOMED_LATERALITY_ATTR = re.compile(r"272741003\s*(?:\|[^|]*\|)?\s*=\s*(\d+)")

# ICD-10-CM: titles as in the CDC/NCHS ICD-10-CM tabular list (www.cdc.gov/nchs/icd/icd-10-cm),
# each code cross-checked against published code listings (M17/M22 knee table of the
# clinicflowai/orthopedic-icd10-codes data set; per-code pages for M05.76-, M05.86-, M06.06-,
# M25.56-, S83.4-, S83.5-, S83.9-). Dots are removed before comparing.
# M17 Osteoarthritis of knee: the 4th/5th character carries the side.
#   M17.0 bilateral primary, M17.10/.11/.12 unilateral primary unspecified/right/left,
#   M17.2 bilateral post-traumatic, M17.30/.31/.32 unilateral post-traumatic,
#   M17.4 other bilateral secondary, M17.5 other unilateral secondary, M17.9 unspecified.
# M22 Disorder of patella: M22.0-/M22.1- recurrent dislocation/subluxation (5th character
#   0 unspecified, 1 right, 2 left knee); M22.2X-/M22.3X- (6th character 1 right, 2 left,
#   9 unspecified knee).
_ICD_EXACT: dict[str, Laterality | None] = {
    "M170": B,
    "M1710": None,
    "M1711": R,
    "M1712": L,
    "M172": B,
    "M1730": None,
    "M1731": R,
    "M1732": L,
    "M174": B,
    "M175": None,
    "M179": None,
    "M2200": None,
    "M2201": R,
    "M2202": L,
    "M2210": None,
    "M2211": R,
    "M2212": L,
    "M222X1": R,
    "M222X2": L,
    "M222X9": None,
    "M223X1": R,
    "M223X2": L,
    "M223X9": None,
}

# Subcategories whose 6th character is the side of the knee: 1 right, 2 left, 9 unspecified
# (ICD-10-CM chapter 13 site convention, 5th character 6 = knee, where the category uses it;
# S83 injuries use the same 6th-character convention in the blocks listed). A 7th character
# (A/D/S encounter) may follow.
#   M00.06- Staphylococcal arthritis, knee (M00.061 right, M00.062 left)
#   M05.76- Rheumatoid arthritis with rheumatoid factor of knee without organ involvement
#   M05.86- Other rheumatoid arthritis with rheumatoid factor of knee
#   M06.06- Rheumatoid arthritis without rheumatoid factor, knee
#   M25.56- Pain in knee (M25.561 right, M25.562 left)
#   S83.40-/S83.41-/S83.42- Sprain of unspecified/medial/lateral collateral ligament of knee
#   S83.50-/S83.51-/S83.52- Sprain of unspecified/anterior/posterior cruciate ligament of knee
_ICD_SIXTH = frozenset(
    {
        "M0006",
        "M0576",
        "M0586",
        "M0606",
        "M2556",
        "S8340",
        "S8341",
        "S8342",
        "S8350",
        "S8351",
        "S8352",
    }
)
# S83.9- Sprain of unspecified site of knee: 5th character 0 unspecified, 1 right, 2 left
# (S83.90XA / S83.91XA / S83.92XA).
_ICD_FIFTH = frozenset({"S839"})
# Whole categories about the knee, side not read from them beyond the tables above:
# M17 Osteoarthritis of knee, M22 Disorder of patella, M23 Internal derangement of knee,
# S83 Dislocation and sprain of joints and ligaments of knee.
_ICD_KNEE_CATEGORIES = ("M17", "M22", "M23", "S83")
_SIDE_DIGIT: dict[str, Laterality | None] = {"1": R, "2": L, "9": None, "0": None}

# Free text: "left knee", "right knee(s)", "both knees", "bilateral knees", "left and right
# knees", "knee, left"; negation is not understood, so this is only a fallback.
_TEXT_BOTH = re.compile(
    r"\b(?:both\s+knees|bilateral\s+knees?|knees?,?\s+bilateral|"
    r"(?:left\s+and\s+right|right\s+and\s+left)\s+knees?)\b",
    re.IGNORECASE,
)
_TEXT_SIDE = re.compile(r"\b(left|right)\s+knee\b|\bknee,?\s+(left|right)\b", re.IGNORECASE)
_TEXT_KNEE = re.compile(r"\bknees?\b", re.IGNORECASE)


def _icd_side(code: str) -> tuple[bool, Laterality | None]:
    """(is a knee code, side) for one ICD-10-CM code."""
    c = code.replace(".", "").strip().upper()
    if c in _ICD_EXACT:
        return True, _ICD_EXACT[c]
    if c[:5] in _ICD_SIXTH:
        return True, _SIDE_DIGIT.get(c[5]) if len(c) > 5 else None
    if c[:4] in _ICD_FIFTH:
        return True, _SIDE_DIGIT.get(c[4]) if len(c) > 4 else None
    return c.startswith(_ICD_KNEE_CATEGORIES), None


def _snomed(code: str) -> tuple[bool, set[Laterality]]:
    """(is a knee concept, sides) for a SNOMED CT code or post-coordinated expression."""
    sides: set[Laterality] = set()
    focus = code.split(":", 1)[0].split("|", 1)[0].strip()
    if focus in _SNOMED_SIDE:
        sides.add(_SNOMED_SIDE[focus])
    if ":" in code:
        for value in _SNOMED_LATERALITY_ATTR.findall(code):
            if value in _SNOMED_SIDE:
                sides.add(_SNOMED_SIDE[value])
    return focus in _SNOMED_KNEE, sides


def _combine(sides: set[Laterality]) -> Laterality | None:
    if not sides:
        return None
    if B in sides or (L in sides and R in sides):
        return B
    return next(iter(sides))


def _text_side(texts: Iterable[str]) -> Laterality | None:
    sides: set[Laterality] = set()
    for text in texts:
        if _TEXT_BOTH.search(text):
            sides.add(B)
        for left_or_right, after in _TEXT_SIDE.findall(text):
            sides.add(L if (left_or_right or after).lower() == "left" else R)
    return _combine(sides)


def laterality_of(codings: Iterable[Coding], text: str | None = None) -> Laterality | None:
    """The side the codings (and, failing them, the text or displays) name; None if unknown.

    Left and right together give ``BILATERAL``.
    """
    sides: set[Laterality] = set()
    texts: list[str] = [text] if text else []
    for coding in codings:
        if coding.system in _SNOMED:
            sides |= _snomed(coding.code)[1]
        elif coding.system in _ICD10CM:
            side = _icd_side(coding.code)[1]
            if side is not None:
                sides.add(side)
        if coding.display:
            texts.append(coding.display)
    if sides:
        return _combine(sides)
    return _text_side(texts)


def is_knee(codings: Iterable[Coding], text: str | None = None) -> bool:
    """True when a coding names a knee structure or knee diagnosis, or the text says "knee"."""
    texts: list[str] = [text] if text else []
    for coding in codings:
        if coding.system in _SNOMED:
            if _snomed(coding.code)[0]:
                return True
        elif coding.system in _ICD10CM and _icd_side(coding.code)[0]:
            return True
        if coding.display:
            texts.append(coding.display)
    return any(_TEXT_KNEE.search(t) for t in texts)
