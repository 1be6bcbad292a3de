from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.study.ctgov import load_ctgov_record
from trialdesk.study.split import SplitCriterion, split_criteria, split_eligibility

# Checked by reading each record's eligibilityCriteria. None: the record has no
# eligibilityModule. Notes: the text that is not a criterion.


class Expected(NamedTuple):
    inclusion: int
    exclusion: int
    notes: tuple[str, ...] = ("Inclusion Criteria:", "Exclusion Criteria:")


EXPECTED: dict[str, Expected | None] = {
    "NCT00465816.json": None,
    "NCT00763412.json": Expected(5, 6),
    "NCT00973089.json": Expected(5, 3),
    "NCT02210780.json": Expected(
        5,
        7,
        (
            "Key Inclusion Criteria:",
            "Key Exclusion Criteria:",
            "The information listed above is not intended to contain all considerations"
            " relevant to a patient's potential participation in a clinical trial and not all"
            " inclusion/ exclusion criteria are listed.",
        ),
    ),
    # Holds the NCT02552212 record, as the next one does.
    "NCT02278341.json": Expected(6, 11),
    "NCT02552212.json": Expected(6, 11),
    "NCT03418623.json": Expected(1, 0, ("Inclusion Criteria:",)),
    "NCT03453554.json": None,
    "NCT03475563.json": Expected(5, 7),
    "NCT03630471.json": Expected(9, 8, ("Eligibility criteria:", "Exclusion criteria:")),
    "NCT04207047.json": Expected(9, 19),
    "NCT05594173.json": Expected(1, 7),
    "NCT06171568.json": Expected(1, 0, ("Inclusion Criteria:",)),
}

# (file, id) -> exact text, or heading
TEXTS: dict[tuple[str, str], str] = {
    ("NCT00763412.json", "I3"): (
        "Must have a glucose pattern by Oral Glucose Tolerance Test with fasting blood glucose"
        " <126 mg/dl and 2 hour: 140 - 199 mg/dl or >200 mg/dl."
    ),
    ("NCT02552212.json", "I5"): (
        "Active disease at Screening as defined by\n"
        "* Bath Ankylosing Spondylitis Disease Activity Index (BASDAI) score >= 4\n"
        "* Spinal pain >= 4 on a 0 to 10 Numerical Rating Scale (NRS)"
    ),
    ("NCT02552212.json", "I6"): (
        "Inadequate response to, have a contraindication to, or have been intolerant to at"
        " least 2 Nonsteroidal Anti-Inflammatory Drugs (NSAIDs)"
    ),
    ("NCT02210780.json", "E7"): (
        "Chronic or acute infection requiring treatment with antibiotics, antivirals,"
        " antiparasitics, antifungals within 4 weeks before screening visit or superficial skin"
        " infections within 1 week of screening visit"
    ),
    ("NCT04207047.json", "I8"): (
        "Absence of physical or psychological conditions unacceptable to the investigator."
    ),
    ("NCT04207047.json", "E19"): (
        "History or current use of the following medications:\n"
        "1. Daily anticoagulants, aspirin, iron supplements, herbal supplements or ointments"
        " such as ginkgo, ginseng or garlic;\n"
        "2. Topical retinoid in the exposure area within the past one week; and Protocol Number:"
        " L18006 v5.0 11192018 Page 9 of 52\n"
        "3. Psychiatric drugs that in the investigators opinion would impair the subject from"
        " understanding the protocol requirements or understanding and signing the informed"
        " consent."
    ),
    ("NCT05594173.json", "E7"): (
        "known allergies to ingredients of the food products used in the experiment ."
    ),
    ("NCT03418623.json", "I1"): "Male participants...",
}

HEADINGS: dict[tuple[str, str], str | None] = {
    ("NCT03630471.json", "I1"): "For adolescent participants:",
    ("NCT03630471.json", "I6"): "For adolescent participants:",
    ("NCT03630471.json", "I7"): "For parent participants:",
    ("NCT03630471.json", "E1"): "For adolescent participants:",
    ("NCT03630471.json", "E8"): "For parent participants:",
    ("NCT04207047.json", "I1"): None,
}


def _text_of(path: Path) -> str | None:
    return load_ctgov_record(path).eligibility_criteria


def test_record_split(ctgov_record_file: Path) -> None:
    name = ctgov_record_file.name
    assert name in EXPECTED, f"add {name} to the table after reading its criteria"
    expected = EXPECTED[name]
    text = _text_of(ctgov_record_file)
    if expected is None:
        assert text is None
        return
    assert text is not None
    result = split_eligibility(text)
    kinds = [c.kind for c in result.criteria]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == expected[:2]
    assert result.notes == expected.notes
    ids = [c.id for c in result.criteria]
    assert ids == [f"I{i}" for i in range(1, expected.inclusion + 1)] + [
        f"E{i}" for i in range(1, expected.exclusion + 1)
    ]
    by_id = {c.id: c for c in result.criteria}
    for (file, cid), criterion_text in TEXTS.items():
        if file == name:
            assert by_id[cid].text == criterion_text
    for (file, cid), heading in HEADINGS.items():
        if file == name:
            assert by_id[cid].heading == heading
    for criterion in result.criteria:
        assert criterion.text == criterion.text.strip()
        assert criterion.text


# the default study ------------------------------------------------------------------


def test_bundled_criteria(bundled_record_path: Path) -> None:
    text = load_ctgov_record(bundled_record_path).eligibility_criteria
    assert text is not None
    criteria = split_criteria(text)
    assert [c.id for c in criteria] == [f"I{i}" for i in range(1, 7)] + [
        f"E{i}" for i in range(1, 29)
    ]
    by_id = {c.id: c for c in criteria}
    assert by_id["I1"] == SplitCriterion(
        "I1", "inclusion", "Voluntarily sign the informed consent;"
    )
    assert by_id["I6"].text == "Background treatment with stable-dose MTX"
    assert by_id["E1"].kind == "exclusion"
    assert by_id["E11"].text == (
        "Creatinine clearance (Ccr) <45 mL/min (based on the Cockcroft-Gault formula)"
        " during screening;"
    )
    assert by_id["E12"].text == "Evidence of hematopoietic dysfunction during screening:"
    assert by_id["E28"].text == (
        "Any other condition that is deemed by the investigator to be unsuitable for"
        " participation in the study."
    )
    assert all(c.heading is None for c in criteria)
    # verbatim: each text is one line of the registry text, after its number
    lines = text.split("\n")
    for criterion in criteria:
        number = criterion.id[1:]
        assert f"{number}. {criterion.text}" in lines
    notes = split_eligibility(text).notes
    assert "Subjects must meet all of the following inclusion criteria" in notes


# formats ------------------------------------------------------------------------------


def _split(text: str) -> list[tuple[str, str, str | None]]:
    return [(c.id, c.text, c.heading) for c in split_criteria(text)]


@pytest.mark.parametrize(
    ("inclusion", "exclusion"),
    [
        ("Inclusion Criteria:", "Exclusion Criteria:"),
        ("INCLUSION CRITERIA:", "EXCLUSION CRITERIA:"),
        ("INCLUSION CRITERIA", "EXCLUSION CRITERIA"),
        ("inclusion criteria", "exclusion criteria"),
        ("**Inclusion criteria**", "**Exclusion criteria**"),
        ("**Inclusion Criteria:**", "**Exclusion Criteria:**"),
        ("**Inclusion criteria**:", "__Exclusion criteria__:"),
        ("## Inclusion Criteria", "### Exclusion Criteria"),
        ("Key Inclusion Criteria:", "Key Exclusion Criteria:"),
        ("Main inclusion criteria:", "Main exclusion criteria:"),
        ("Inclusion:", "Exclusion:"),
        ("Inclusion Criterion:", "Exclusion Criterion:"),
    ],
)
def test_heading_spellings(inclusion: str, exclusion: str) -> None:
    text = f"{inclusion}\n\n* Adults\n* Consent\n\n{exclusion}\n\n* Pregnancy\n"
    result = split_eligibility(text)
    assert [(c.id, c.text) for c in result.criteria] == [
        ("I1", "Adults"),
        ("I2", "Consent"),
        ("E1", "Pregnancy"),
    ]
    assert len(result.notes) == 2


@pytest.mark.parametrize(
    "markers",
    [
        ("1.", "2.", "3."),
        ("1)", "2)", "3)"),
        ("(1)", "(2)", "(3)"),
        ("a.", "b.", "c."),
        ("a)", "b)", "c)"),
        ("i.", "ii.", "iii."),
        ("*", "*", "*"),
        ("-", "-", "-"),
        ("•", "•", "•"),
        ("1、", "2、", "3、"),
    ],
)
def test_markers(markers: tuple[str, str, str]) -> None:
    body = "\n".join(f"{m} Item {n}" for n, m in zip("ABC", markers, strict=True))
    assert _split(f"Inclusion Criteria:\n\n{body}") == [
        ("I1", "Item A", None),
        ("I2", "Item B", None),
        ("I3", "Item C", None),
    ]


def test_glued_numbers() -> None:
    text = (
        "Inclusion criteria:\n1.Age 18-65 years;\n2.Signed consent\nExclusion criteria:\n1.Pregnant"
    )
    assert _split(text) == [
        ("I1", "Age 18-65 years;", None),
        ("I2", "Signed consent", None),
        ("E1", "Pregnant", None),
    ]


def test_no_heading_is_inclusion() -> None:
    assert [c.kind for c in split_criteria("* Adults\n* Consent")] == ["inclusion", "inclusion"]


def test_nested_items_fold_into_parent() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "1. Adequate organ function:\n\n"
        "   a. ALT < 3 x ULN\n"
        "   b. Creatinine clearance > 45 mL/min\n"
        "      * by Cockcroft-Gault\n"
        "2. Consent"
    )
    assert _split(text) == [
        (
            "I1",
            "Adequate organ function:\na. ALT < 3 x ULN\nb. Creatinine clearance > 45 mL/min\n"
            "   * by Cockcroft-Gault",
            None,
        ),
        ("I2", "Consent", None),
    ]


def test_unindented_sub_items_of_another_style() -> None:
    text = (
        "Exclusion Criteria:\n1. Abnormal blood counts:\na. Hb < 9 g/dL\nb. Platelets < 100\n2. HIV"
    )
    assert _split(text) == [
        ("E1", "Abnormal blood counts:\na. Hb < 9 g/dL\nb. Platelets < 100", None),
        ("E2", "HIV", None),
    ]


def test_wrapped_lines_join() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "- Patients must consent in writing to participate in the study by signing and dating an\n"
        "informed consent document;\n"
        "- Stage I and II according to X-ray.\n"
    )
    assert _split(text) == [
        (
            "I1",
            "Patients must consent in writing to participate in the study by signing and dating"
            " an informed consent document;",
            None,
        ),
        ("I2", "Stage I and II according to X-ray.", None),
    ]


def test_indented_continuation_paragraph() -> None:
    text = "* Women of childbearing potential:\n\n  Negative pregnancy test.\n* Adults"
    assert _split(text) == [
        ("I1", "Women of childbearing potential:\nNegative pregnancy test.", None),
        ("I2", "Adults", None),
    ]


def test_intro_sentences_are_not_criteria() -> None:
    text = (
        "Inclusion Criteria:\n\nPatients must meet all of the following criteria:\n\n* Adults\n\n"
        "Exclusion Criteria:\n\nPatients with any of the following will be excluded\n\n* HIV"
    )
    result = split_eligibility(text)
    assert [(c.id, c.text, c.heading) for c in result.criteria] == [
        ("I1", "Adults", None),
        ("E1", "HIV", None),
    ]
    assert "Patients must meet all of the following criteria:" in result.notes


def test_sub_headings() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "For patients in Cohort A:\n\n* Adults\n* RA\n\n"
        "For patients in Cohort B:\n\n* Children\n\n"
        "Exclusion Criteria:\n\n* HIV\n\n"
        "Inclusion Criteria for Part 2:\n\n* Completed Part 1\n"
    )
    assert _split(text) == [
        ("I1", "Adults", "For patients in Cohort A:"),
        ("I2", "RA", "For patients in Cohort A:"),
        ("I3", "Children", "For patients in Cohort B:"),
        ("E1", "HIV", None),
        ("I4", "Completed Part 1", "Inclusion Criteria for Part 2:"),
    ]


def test_remark_after_items_is_a_note() -> None:
    text = "Inclusion Criteria:\n\n1. Adults\n\nOther protocol-defined criteria may apply."
    result = split_eligibility(text)
    assert [c.text for c in result.criteria] == ["Adults"]
    assert result.notes == ("Inclusion Criteria:", "Other protocol-defined criteria may apply.")


def test_plain_lines_without_markers() -> None:
    text = (
        "Inclusion Criteria:\n\nAge 18 or older\nSigned informed consent and\n"
        "willingness to attend visits\n\nExclusion Criteria:\n\nPregnancy\n\nHIV infection"
    )
    assert _split(text) == [
        ("I1", "Age 18 or older", None),
        ("I2", "Signed informed consent and willingness to attend visits", None),
        ("E1", "Pregnancy", None),
        ("E2", "HIV infection", None),
    ]


def test_nothing_after_heading() -> None:
    result = split_eligibility("Inclusion Criteria:\n\n* Adults\n\nExclusion criteria: none")
    assert [c.id for c in result.criteria] == ["I1"]
    assert result.notes[-1] == "Exclusion criteria: none"


def test_text_after_heading_colon() -> None:
    assert _split("Inclusion criteria: adults with RA\nExclusion criteria: pregnancy") == [
        ("I1", "adults with RA", None),
        ("E1", "pregnancy", None),
    ]


def test_long_text_after_heading_colon() -> None:
    long = "adults with active rheumatoid arthritis " * 5
    assert _split(f"Inclusion criteria: {long.strip()}") == [("I1", long.strip(), None)]


def test_markdown_escapes_are_removed() -> None:
    assert _split("* ALT \\> 2 x ULN \\[see protocol\\]") == [
        ("I1", "ALT > 2 x ULN [see protocol]", None)
    ]


def test_empty_bullets_and_blank_text() -> None:
    assert split_criteria("") == []
    assert split_criteria("\n\n   \n") == []
    assert _split("* Adults\n*\n-   \n* Consent") == [
        ("I1", "Adults", None),
        ("I2", "Consent", None),
    ]


def test_windows_line_endings() -> None:
    assert _split("Inclusion Criteria:\r\n\r\n* Adults\r\n\r\nExclusion Criteria:\r\n* HIV") == [
        ("I1", "Adults", None),
        ("E1", "HIV", None),
    ]


# properties ---------------------------------------------------------------------------

_STOP = re.compile(
    r"inclusion|exclusion|eligib|criteri|selection|following|must|eligible|excluded|key|main"
    r"|and|or|with|of|the|to|in|for|an?|by|at|none|na"
)
_word = st.text(alphabet="abcdefghjkmnpqrstuwyz", min_size=3, max_size=8).filter(
    lambda w: not _STOP.fullmatch(w)
)
_sentence = st.lists(_word, min_size=1, max_size=8).map(lambda ws: [ws[0].capitalize(), *ws[1:]])


class _GenItem(NamedTuple):
    words: list[str]
    wrap_at: int  # 0: one line
    subs: list[list[str]]


_item = st.builds(
    _GenItem,
    words=_sentence,
    wrap_at=st.integers(min_value=0, max_value=7),
    subs=st.lists(_sentence, max_size=3),
)
_section = st.tuples(
    st.booleans(),  # intro sentence
    st.one_of(st.none(), _sentence),  # sub-heading
    st.sampled_from(["1.", "1)", "(1)", "a.", "*", "-", "•"]),
    st.sampled_from(["*", "-", "a.", "1.", "(i)"]),
    st.lists(_item, min_size=1, max_size=6),
    st.booleans(),  # blank lines between items
)
_HEADINGS = {
    "inclusion": ["Inclusion Criteria:", "INCLUSION CRITERIA", "**Inclusion criteria**"],
    "exclusion": ["Exclusion Criteria:", "EXCLUSION CRITERIA:", "Key Exclusion Criteria:"],
}


def _marker(style: str, n: int) -> str:
    if style in ("*", "-", "•"):
        return style
    if style == "(i)":
        return f"({'abcdefgh'[n]})"
    value = str(n + 1) if style[0] == "1" else "abcdefgh"[n]
    return style.replace("1", value).replace("a", value)


@settings(max_examples=200, deadline=None)
@given(
    sections=st.lists(_section, min_size=1, max_size=2),
    spelling=st.integers(min_value=0, max_value=2),
    headed=st.booleans(),
)
def test_generated_texts_split_as_written(
    sections: list[tuple[bool, list[str] | None, str, str, list[_GenItem], bool]],
    spelling: int,
    headed: bool,
) -> None:
    kinds = ["inclusion", "exclusion"][: len(sections)] if headed else ["inclusion"]
    sections = sections[: len(kinds)]
    lines: list[str] = []
    expected: list[tuple[str, str, str | None]] = []
    for kind, (intro, sub_heading, style, sub_style, items, spaced) in zip(
        kinds, sections, strict=True
    ):
        if headed:
            lines += [_HEADINGS[kind][spelling], ""]
        if intro:
            lines += [f"Subjects must meet all of the following {kind} criteria:", ""]
        heading = None
        if sub_heading:
            heading = "For " + " ".join(sub_heading) + ":"
            lines += [heading, ""]
        for n, item in enumerate(items):
            words = item.words
            cut = item.wrap_at if 0 < item.wrap_at < len(words) else len(words)
            lines.append(f"{_marker(style, n)} {' '.join(words[:cut])}")
            if cut < len(words):
                lines.append(" ".join(words[cut:]))
            text = " ".join(words)
            for m, sub in enumerate(item.subs):
                marker = _marker(sub_style, m)
                lines.append(f"   {marker} {' '.join(sub)}")
                text += f"\n{marker} {' '.join(sub)}"
            expected.append((kind, text, heading))
            if spaced:
                lines.append("")
        lines.append("")
    source = "\n".join(lines)
    got = split_criteria(source)
    assert [(c.kind, c.text, c.heading) for c in got] == expected, source


_FRAGMENTS = [
    "\n",
    "\n\n",
    "   ",
    "* ",
    "- ",
    "• ",
    "1. ",
    "2) ",
    "(3) ",
    "a. ",
    "ii. ",
    "1.",
    ":",
    "**",
    "__",
    "#",
    "\\<",
    "\\[",
    "\\",
    "Inclusion Criteria:",
    "EXCLUSION CRITERIA",
    "Eligibility criteria:",
    "Exclusion criteria: none",
    "Inclusion criteria for Part A:",
    "Subjects must meet all of the following:",
    "For Cohort B:",
    "following",
    "and",
    "\r\n",
    "\t",
]
_WORDS = re.compile(r"[^\W_]+")
_MARKER_WORD = re.compile(r"\d{1,3}|[a-zA-Z]|[ivxlIVXL]{2,6}")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_FRAGMENTS),
            st.text(alphabet="abcXYZ019 .:;,()*-", max_size=12),
            st.text(max_size=6),
        ),
        max_size=30,
    ).map("".join)
)
def test_splitting_never_loses_words(source: str) -> None:
    """Every word of the registry text is in a criterion, a heading or a note; only the
    items' numbers and letters (their markers) may go."""
    result = split_eligibility(source)
    kept: set[str] = set()
    for criterion in result.criteria:
        kept.update(_WORDS.findall(criterion.text))
        kept.update(_WORDS.findall(criterion.heading or ""))
    for note in result.notes:
        kept.update(_WORDS.findall(note))
    lost = set(_WORDS.findall(source)) - kept
    assert all(_MARKER_WORD.fullmatch(word) for word in lost), (lost, result)
    ids = [c.id for c in result.criteria]
    assert len(ids) == len(set(ids))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_splits(source: str) -> None:
    for criterion in split_criteria(source):
        assert criterion.text.strip()
        assert criterion.kind in ("inclusion", "exclusion")
        assert re.fullmatch(r"[IE][1-9]\d*", criterion.id)


def test_expected_table_covers_the_records() -> None:
    from .conftest import RECORD_FILES

    if not RECORD_FILES:
        pytest.skip("no ClinicalTrials.gov records")
    assert sorted(EXPECTED) == [p.name for p in RECORD_FILES]
    for path in RECORD_FILES:
        raw = json.loads(path.read_bytes())
        has_text = "eligibilityModule" in raw["protocolSection"]
        assert (EXPECTED[path.name] is not None) == has_text
