"""Tests for trialdesk.clinical.ctcae_terms: the CTCAE v5.0 term list (NCI, 27 Nov 2017).

The spot checks are NCI's text as printed in CTCAE_v5.0.xlsx (read from the copies named in
clinical/ctcae/SOURCE.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from trialdesk.clinical import ctcae
from trialdesk.clinical.ctcae_terms import (
    COLUMNS,
    TERMS_ENV,
    TERMS_FILE,
    CtcaeTerms,
    ctcae_terms,
    load_terms,
    require_term,
    search_terms,
    term_named,
)
from trialdesk.errors import InputError

_HEADER = ",".join(COLUMNS)


def test_the_list_has_every_term_of_ctcae_v5() -> None:
    terms = ctcae_terms()
    assert len(terms) == 837
    assert len({t.meddra_code for t in terms}) == 837
    socs = Counter(t.soc for t in terms)
    assert len(socs) == 26
    assert socs["Gastrointestinal disorders"] == 122
    assert socs["Investigations"] == 42
    assert socs["Neoplasms benign, malignant and unspecified (incl cysts and polyps)"] == 7
    assert all(t.defined_grades for t in terms)
    assert ctcae_terms() is terms  # read once


@pytest.mark.parametrize(
    ("name", "code", "soc", "grades"),
    [
        (
            "Injection site reaction",
            "10022095",
            "General disorders and administration site conditions",
            {
                1: "Tenderness with or without associated symptoms (e.g., warmth, erythema, "
                "itching)",
                2: "Pain; lipodystrophy; edema; phlebitis",
                3: "Ulceration or necrosis; severe tissue damage; operative intervention indicated",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            },
        ),
        (
            "Joint infection",
            "10023216",
            "Infections and infestations",
            {
                1: None,
                2: "Localized; local intervention indicated; oral intervention indicated (e.g., "
                "antibiotic, antifungal, or antiviral); needle aspiration indicated (single or "
                "multiple)",
                3: "Arthroscopic intervention indicated (e.g., drainage) or arthrotomy (e.g., "
                "open surgical drainage)",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            },
        ),
        (
            "Arthralgia",
            "10003239",
            "Musculoskeletal and connective tissue disorders",
            {
                1: "Mild pain",
                2: "Moderate pain; limiting instrumental ADL",
                3: "Severe pain; limiting self care ADL",
                4: None,
                5: None,
            },
        ),
        (
            "Anaphylaxis",
            "10002218",
            "Immune system disorders",
            {
                1: None,
                2: None,
                3: "Symptomatic bronchospasm, with or without urticaria; parenteral intervention "
                "indicated; allergy-related edema/angioedema; hypotension",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            },
        ),
        (
            "Anemia",
            "10002272",
            "Blood and lymphatic system disorders",
            {
                1: "Hemoglobin (Hgb) <LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; <LLN - 100 g/L",
                2: "Hgb <10.0 - 8.0 g/dL; <6.2 - 4.9 mmol/L; <100 - 80g/L",
                3: "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
                4: "Life-threatening consequences; urgent intervention indicated",
                5: "Death",
            },
        ),
        (
            "Treatment related secondary malignancy",
            "10049737",
            "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
            {
                1: None,
                2: None,
                3: "Non life-threatening secondary malignancy",
                4: "Acute life-threatening secondary malignancy; blast crisis in leukemia",
                5: "Death",
            },
        ),
    ],
)
def test_known_terms_match_the_source(
    name: str, code: str, soc: str, grades: dict[int, str | None]
) -> None:
    term = term_named(name)
    assert term is not None
    assert (term.term, term.meddra_code, term.soc) == (name, code, soc)
    assert dict(term.grades) == grades


def test_definitions_notes_and_characters_are_kept() -> None:
    fever = term_named("Fever")
    assert fever is not None and fever.meddra_code == "10016558"
    assert fever.grades[1] == "38.0 - 39.0 degrees C (100.4 - 102.2 degrees F)"
    alt = term_named("Alanine aminotransferase increased")
    assert alt is not None and alt.navigational_note == (
        "Also consider Hepatobiliary disorders: Hepatic failure"
    )
    crs = term_named("Cytokine release syndrome")
    assert crs is not None and "hypoxia requiring ≥ 40% O2" in (crs.grades[3] or "")
    other = term_named("Cardiac disorders - Other, specify")
    assert other is not None and other.definition is None  # NCI prints "-"
    hypertension = term_named("Hypertension")
    assert hypertension is not None and "\n" in (hypertension.grades[1] or "")


def test_term_named_is_exact_and_case_insensitive() -> None:
    found = term_named("  joint   INFECTION ")
    assert found is not None and found.term == "Joint infection"
    assert term_named("Septic arthritis") is None  # the CTCAE term is "Joint infection"
    assert term_named("Joint infectio") is None


def test_search_puts_exact_then_prefix_then_word_matches_first() -> None:
    names = [t.term for t in search_terms("arthritis")]
    assert names[0] == "Arthritis"  # exact
    joint = [t.term for t in search_terms("joint")]
    assert joint[:3] == ["Joint effusion", "Joint infection", "Joint range of motion decreased"]
    infection = [t.term for t in search_terms("infection", limit=4)]
    # a name starting with the text, then names with a word starting with it, alphabetical
    assert infection == [
        "Infections and infestations - Other, specify",
        "Abdominal infection",
        "Anorectal infection",
        "Biliary tract infection",
    ]
    assert [t.term for t in search_terms("inj site")] == ["Injection site reaction"]
    assert [t.term for t in search_terms("10023216")] == ["Joint infection"]
    substring = [t.term for t in search_terms("ection", limit=50)]
    assert "Joint infection" in substring  # inside a word: the last rank
    assert search_terms("   ") == []
    assert len(search_terms("a", limit=7)) == 7


def test_search_limit_must_be_a_positive_whole_number() -> None:
    with pytest.raises(InputError) as info:
        search_terms("joint", limit=0)
    assert info.value.field == "limit"


def test_a_term_not_in_the_list_is_refused_with_the_closest_ones() -> None:
    assert require_term("allergic reaction").term == "Allergic reaction"
    with pytest.raises(InputError) as info:
        require_term("Septic arthritis", field="ctcae_term")
    assert info.value.field == "ctcae_term"
    assert "not in the CTCAE v5.0 term list" in info.value.message
    assert "Arthritis" in info.value.message  # closest
    with pytest.raises(InputError) as blank:
        require_term("  ")
    assert blank.value.field == "term"


def test_the_package_reexports_the_term_list() -> None:
    assert ctcae.term_named is term_named
    assert ctcae.ctcae_terms() is ctcae_terms()
    assert TERMS_FILE.is_file() and TERMS_FILE.parent.name == "ctcae"


# --- a site's own term file ------------------------------------------------------------------


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "site_terms.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_site_file_with_the_same_columns_is_loaded(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _HEADER,
        "10022095,General disorders and administration site conditions,Injection site "
        'reaction,Tenderness,Pain,Ulceration,"Life-threatening, urgent",Death,A reaction.,',
        '10023216,Infections and infestations,Joint infection,-,Localized,"Arthroscopic\n'
        'intervention",Life-threatening,Death,-,See also arthritis',
    )
    terms = ctcae_terms(path)
    assert isinstance(terms, CtcaeTerms) and len(terms) == 2
    assert ctcae_terms(path) is terms  # cached per file
    joint = term_named("joint infection", terms)
    assert joint is not None and joint.grades[1] is None and joint.definition is None
    assert joint.grades[3] == "Arthroscopic\nintervention"
    assert joint.navigational_note == "See also arthritis"
    assert [t.term for t in search_terms("inj", terms=terms)] == ["Injection site reaction"]
    with pytest.raises(InputError) as info:
        require_term("Arthralgia", terms)
    assert "site_terms.csv" in info.value.message


def test_the_site_file_named_by_the_environment_is_what_events_are_coded_against(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path,
        _HEADER,
        "10022095,General disorders and administration site conditions,Injection site "
        'reaction,Tenderness,Pain,Ulceration,"Life-threatening, urgent",Death,A reaction.,',
    )
    monkeypatch.setenv(TERMS_ENV, str(path))
    assert [t.term for t in ctcae_terms()] == ["Injection site reaction"]
    with pytest.raises(InputError):
        require_term("Arthralgia")  # not in the site's file
    monkeypatch.delenv(TERMS_ENV)
    assert len(ctcae_terms()) == 837  # the shipped list again


@pytest.mark.parametrize(
    ("lines", "line", "column", "field", "text"),
    [
        (
            ["code,soc,term,grade_1,grade_2,grade_3,grade_4,grade_5,definition,navigational_note"],
            1,
            1,
            "meddra_code",
            "expected column 'meddra_code', found 'code'",
        ),
        ([",".join(COLUMNS[:-1])], 1, 10, "navigational_note", "expected 10 columns"),
        ([_HEADER, "1002209,SOC,Term,a,b,c,d,e,def,"], 2, 1, "meddra_code", "8 digits"),
        ([_HEADER, "10022095,SOC,Term,a,b,c"], 2, 7, "grade_4", "expected 10 fields, found 6"),
        ([_HEADER, "10022095,SOC,Term,a,,c,d,e,def,"], 2, 5, "grade_2", "grade_2 is empty"),
        ([_HEADER, "10022095,,Term,a,b,c,d,e,def,"], 2, 2, "soc", "soc is empty"),
        ([_HEADER, "10022095,SOC,Term,-,-,-,-,-,def,"], 2, 4, "grade_1", "no grade is defined"),
        (
            [_HEADER, "10022095,SOC,Term,a,b,c,d,e,def,", "10022096,SOC,TERM,a,b,c,d,e,def,"],
            3,
            3,
            "term",
            "repeats line 2",
        ),
        (
            # a record over three lines: the next record's line is still right
            [_HEADER, '10022095,SOC,Term,"a\nb\nc",b,c,d,e,def,', "x,SOC,Other,a,b,c,d,e,def,"],
            5,
            1,
            "meddra_code",
            "found 'x'",
        ),
        ([_HEADER, '10022095,SOC,"Term,a,b,c,d,e,def,'], 2, None, None, "malformed CSV"),
        ([_HEADER], 2, None, None, "lists no terms"),
    ],
)
def test_a_malformed_file_names_file_line_and_column(
    tmp_path: Path,
    lines: list[str],
    line: int,
    column: int | None,
    field: str | None,
    text: str,
) -> None:
    path = _write(tmp_path, *lines)
    with pytest.raises(InputError) as info:
        load_terms(path)
    error = info.value
    assert error.file == str(path)
    assert (error.line, error.column, error.field) == (line, column, field)
    assert text in error.message
    assert str(error).startswith(f"{path}:{line}")


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _HEADER,
        "123,SOC,Term,a,b,c,d,e,def,",
        "10022096,,Other,a,b,c,d,e,def,",
        "10022097,SOC,Third,a,b,c,d,e,def,",
    )
    with pytest.raises(InputError) as info:
        load_terms(path)
    message = info.value.message
    assert "2 problems" in message
    assert "line 2, column 1" in message and "line 3, column 2" in message


def test_an_unreadable_or_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        load_terms(tmp_path / "nope.csv")
    assert missing.value.file == str(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_terms(empty)
    assert "empty" in info.value.message
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(_HEADER.encode() + b"\n10022095,SOC,R\xe9action,a,b,c,d,e,def,\n")
    with pytest.raises(InputError) as encoding:
        load_terms(latin)
    assert "cannot read" in encoding.value.message
