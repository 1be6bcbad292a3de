"""`trialdesk screen`: output formats, defaults, and bad input handled as the user sees it."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from trialdesk.cli import app

runner = CliRunner()
DATES = ["--screening-date", "2019-06-01", "--baseline-date", "2019-06-15"]
SCHEMA = json.loads(
    resources.files("trialdesk.criteria").joinpath("screening.schema.json").read_text()
)


def screen(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["screen", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_follows_its_schema(ra_patients: Path) -> None:
    code, out, err = screen(str(ra_patients), *DATES, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert len(doc) == 5
    files = sorted(p.name for p in ra_patients.glob("*.json"))
    assert [d["patient"][:8] for d in doc] == [
        json.loads((ra_patients / f).read_text())["entry"][0]["resource"]["id"][:8] for f in files
    ], "patients come out in input order"
    for d in doc:
        assert [c["id"] for c in d["criteria"]] == [f"I{i}" for i in range(1, 7)] + [
            f"E{i}" for i in range(1, 29)
        ]


def test_schema_rejects_an_unknown_without_missing() -> None:
    bad = [
        {
            "patient": "p",
            "study": "NCT06947746",
            "screening_date": "2026-01-01",
            "baseline_date": "2026-01-02",
            "target_knee": None,
            "verdict": "incomplete",
            "criteria": [
                {
                    "id": "I1",
                    "kind": "inclusion",
                    "status": "unknown",
                    "text": "t",
                    "evidence": [],
                    "missing": [],
                }
            ],
        }
    ]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


def test_table_fits_100_columns_and_says_its_defaults(ra_patients: Path) -> None:
    first = sorted(ra_patients.glob("*.json"))[0]
    code, out, _ = screen(str(first), "--screening-date", "2019-06-01")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "baseline date not given: using screening + 14 days, 2019-06-15" in out
    assert "target knee not given" in out
    assert "Verdict: INCOMPLETE" in out
    for cid in ("I1", "E10", "E28"):
        assert f"│{cid} " in out


def test_csv_has_a_row_per_patient_and_criterion(ra_patients: Path) -> None:
    code, out, _ = screen(str(ra_patients), *DATES, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 * 34
    assert {r["status"] for r in rows} <= {"met", "not_met", "unknown", "needs_review"}


def test_attestation_decides_a_judgment_criterion(ra_patients: Path, tmp_path: Path) -> None:
    first = sorted(ra_patients.glob("*.json"))[0]
    attest = tmp_path / "decisions.csv"
    attest.write_text(
        "criterion,decision,reason,by,date\n"
        "E28,not_met,no other condition of concern,Dr Investigator,2019-05-30\n"
    )
    code, out, err = screen(str(first), *DATES, "--attest", str(attest), "--format", "json")
    assert code == 0, err
    e28 = next(c for c in json.loads(out)[0]["criteria"] if c["id"] == "E28")
    assert e28["status"] == "not_met"
    assert "Dr Investigator" in e28["evidence"][-1]["note"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("criterion,decision,reason,by,date\nE10,not_met,x,Dr A,2019-01-01\n", "decided from data"),
        ("criterion,decision,reason,by,date\nE99,not_met,x,Dr A,2019-01-01\n", "no criterion E99"),
        ("criterion,decision,reason,by,date\nE28,maybe,x,Dr A,2019-01-01\n", "met or not_met"),
        ("criterion,decision,reason,by,date\nE28,met,x,Dr A,yesterday\n", "not a date"),
        ("criterion,decision,reason,by,date\nE28,met,,Dr A,2019-01-01\n", "'reason' is missing"),
    ],
)
def test_bad_attestations_are_refused(
    ra_patients: Path, tmp_path: Path, content: str, message: str
) -> None:
    attest = tmp_path / "decisions.csv"
    attest.write_text(content)
    code, _, err = screen(str(ra_patients), *DATES, "--attest", str(attest))
    assert code == 2
    assert message in err and "decisions.csv" in err


def _bundle(*resources: dict[str, object]) -> str:
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in resources],
        }
    )


PATIENT = {"resourceType": "Patient", "id": "p1", "birthDate": "1980-01-01", "gender": "female"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("this is not json", "not JSON"),
        (json.dumps({"hello": "world"}), "resourceType"),
        (
            _bundle(
                {
                    "resourceType": "Observation",
                    "id": "o1",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "1742-6"}]},
                    "subject": {"reference": "Patient/p1"},
                }
            ),
            "Patient",
        ),
        (
            _bundle(
                PATIENT,
                {
                    "resourceType": "Condition",
                    "id": "c1",
                    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "69896004"}]},
                },
            ),
            "subject",
        ),
        (_bundle({**PATIENT, "birthDate": "2999-01-01"}), "birthDate"),
        (_bundle({**PATIENT, "birthDate": "1980-13-45"}), "birthDate"),
    ],
)
def test_bad_files_are_reported_and_good_ones_still_screened(
    ra_patients: Path, tmp_path: Path, content: str, expected: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.json").write_text(content)
    good = sorted(ra_patients.glob("*.json"))[0]
    (folder / "good.json").write_bytes(good.read_bytes())
    code, out, err = screen(str(folder), *DATES, "--format", "json")
    assert code == 2
    assert len(json.loads(out)) == 1
    assert "bad.json" in err and expected in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--screening-date", "2019-02-30"], "is not a date"),
        (["--screening-date", "2019-06-01", "--baseline-date", "2019-05-01"], "before"),
        (["--study", "NCT00000000"], "no study 'NCT00000000'"),
        (["--date", "screening"], "--date 'screening' is not NAME=VALUE"),
        (["--date", "screening=soon"], "--date screening 'soon' is not a date"),
        (
            ["--date", "visit=2019-06-01"],
            "--date visit: the study has no such date (dates: screening, baseline)",
        ),
        (
            ["--screening-date", "2019-06-01", "--date", "screening=2019-06-01"],
            "--date screening: the screening date is given twice",
        ),
        (
            ["--date", "screening=2019-06-01", "--date", "baseline=2019-05-01"],
            "--date baseline is before --date screening",
        ),
        (
            ["--param", "target_eye=left"],
            "--param target_eye: the study has no such parameter (parameters: target_knee)",
        ),
        (["--target-knee", "up"], "--target-knee: must be left or right, got 'up'"),
        (["--param", "target_knee=up"], "--param target_knee: must be left or right"),
    ],
)
def test_bad_options_exit_2_with_one_line(ra_patients: Path, args: list[str], message: str) -> None:
    code, _, err = screen(str(ra_patients), *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_generic_dates_and_parameters_are_the_shorthands(ra_patients: Path) -> None:
    shorthand = screen(str(ra_patients), *DATES, "--target-knee", "left", "--format", "json")
    generic = screen(
        str(ra_patients),
        "--date",
        "screening=2019-06-01",
        "--date",
        "baseline=2019-06-15",
        "--param",
        "target_knee=left",
        "--format",
        "json",
    )
    assert shorthand[0] == generic[0] == 0
    assert shorthand[1] == generic[1]
    assert json.loads(generic[1])[0]["target_knee"] == "left"


def test_missing_path(tmp_path: Path) -> None:
    code, _, err = screen(str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err


def test_empty_folder(tmp_path: Path) -> None:
    code, _, err = screen(str(tmp_path))
    assert code == 2 and "no .json or .ndjson files" in err


def test_files_without_patients(tmp_path: Path) -> None:
    org = {"resourceType": "Organization", "id": "o1", "name": "A hospital"}
    (tmp_path / "orgs.json").write_text(_bundle(org))
    code, _, err = screen(str(tmp_path))
    assert code == 2 and "no patients found" in err
