"""Evidence lines are read by staff on the screening page and in `trialdesk screen`: no
UCUM codes, value-set names or figures to four decimals in them (walkthrough D20). The
JSON keeps the codes in its own fields (``unit``), for programs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app

ROOT = Path(__file__).resolve().parents[2]

NOT_FOR_PEOPLE = {
    "a UCUM power of ten": re.compile(r"\b10\*\d"),
    "a UCUM annotation": re.compile(r"\{[a-z#]+\}"),
    "a UCUM bracket atom": re.compile(r"\[(Hg|IU|iU|HPF)\]"),
    "a micro written u": re.compile(r"\d u(mol|g|L)/"),
    "a ×ULN figure past two decimals": re.compile(r"\d\.\d{3,}×ULN"),
    "a value-set name": re.compile(r"\bsee [a-z]+_[a-z_]+\b|wording:"),
    "an ACR/EULAR domain code": re.compile(r"unknown: [^)]*\b(acute_phase|joints)\b"),
}


@pytest.fixture(scope="module")
def screened() -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app,
        ["screen", str(ROOT / "examples"), "--screening-date", "2026-03-02",
         "--baseline-date", "2026-03-16", "--target-knee", "right", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


@pytest.fixture(scope="module")
def notes(screened: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (patient["patient"], criterion["id"], evidence["note"])
        for patient in screened
        for criterion in patient["criteria"]
        for evidence in criterion["evidence"]
    ]


def test_the_examples_give_evidence_with_units(notes: list[tuple[str, str, str]]) -> None:
    """The check below looks at lines that carry units, ×ULN figures and scores."""
    text = "\n".join(note for _, _, note in notes)
    assert "×10³/µL" in text and "×ULN" in text and "mmHg" in text
    assert "ACR/EULAR 2010 score" in text


@pytest.mark.parametrize("what", sorted(NOT_FOR_PEOPLE))
def test_no_evidence_line_shows_codes_meant_for_programs(
    notes: list[tuple[str, str, str]], what: str
) -> None:
    pattern = NOT_FOR_PEOPLE[what]
    bad = [f"{p} {c}: {n}" for p, c, n in notes if pattern.search(n)]
    assert not bad, f"{what} in {len(bad)} evidence lines:\n" + "\n".join(bad[:10])


def test_the_json_keeps_the_ucum_code_in_its_unit_field(screened: list[dict[str, Any]]) -> None:
    units = {
        e["unit"] for p in screened for c in p["criteria"] for e in c["evidence"] if e.get("unit")
    }
    assert {"10*3/uL", "mm[Hg]"} <= units, units
