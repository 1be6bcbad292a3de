"""The screening log's two CSVs (walkthrough D22): the site's, with a UTF-8 BOM so Excel on
Chinese Windows reads 王芳 instead of GBK mojibake, and the sponsor's, pseudonymised:
screening and subject numbers and age only, no name, record number, birth date or free
text."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi import FastAPI

from trialdesk.trial.screening.screening_log import LogRow
from trialdesk.web.rooms.screening.log_csv import age_shown, pseudonymised_csv
from webclient import Api

STUDY = "NCT06947746"
PEOPLE = [
    {"name": "王芳", "birth_date": "1970-03-04", "sex": "female", "record_number": "ZS-88231"},
    {"name": "Li Lei", "birth_date": "1932-01-02", "sex": "male", "record_number": "ZS-10001"},
]


@pytest.fixture
def coordinator(app: FastAPI) -> Api:
    api = Api(app, "coordinator")
    for person in PEOPLE:
        added = api.post("/api/candidates", {"study": STUDY, **person})
        assert added.status_code == 201, added.text
    # a reason typed by staff, naming someone: free text stays with the site
    li = next(c for c in api.get(f"/api/candidates?study={STUDY}").json() if c["name"] == "Li Lei")
    declined = api.post(
        f"/api/candidates/{li['id']}/outcome",
        {"outcome": "decline", "version": li["version"], "reason": "his daughter 李娜 said no"},
    )
    assert declined.status_code == 200, declined.text
    return api


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_sites_csv_starts_with_a_bom_and_reads_in_gbk_excel(coordinator: Api) -> None:
    export = coordinator.get(f"/staff/screening-log.csv?study={STUDY}")
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())  # EF BB BF
    rows = _rows(export.content)
    assert [r["name"] for r in rows] == ["王芳", "Li Lei"]
    assert rows[0]["record_number"] == "ZS-88231"
    assert "attachment" in export.headers["content-disposition"]


def test_the_sponsors_csv_is_pseudonymised(coordinator: Api) -> None:
    export = coordinator.get(f"/staff/screening-log.csv?study={STUDY}&pseudonymised=1")
    assert export.status_code == 200 and export.content.startswith("\ufeff".encode())
    assert export.headers["content-disposition"].endswith('-pseudonymised.csv"')
    text = export.content.decode("utf-8-sig")
    for secret in ("王芳", "Li Lei", "ZS-88231", "ZS-10001", "1970-03-04", "1932-01-02", "李娜"):
        assert secret not in text, secret
    rows = _rows(export.content)
    assert set(rows[0]) >= {"screening_number", "subject_number", "age", "outcome"}
    assert not set(rows[0]) & {"name", "record_number", "reasons", "candidate_id", "birth_date"}
    assert [r["screening_number"][:2] for r in rows] == ["S-", "S-"]
    assert [r["outcome"] for r in rows] == ["screening", "declined"]
    assert rows[0]["age"].isdigit() and rows[1]["age"] == "90+"


def test_the_sponsors_csv_follows_the_filters(coordinator: Api) -> None:
    only = coordinator.get(
        f"/staff/screening-log.csv?study={STUDY}&status=declined&pseudonymised=1"
    )
    assert [r["outcome"] for r in _rows(only.content)] == ["declined"]


def test_the_log_page_offers_both(coordinator: Api) -> None:
    page = coordinator.get(f"/staff/screening-log?study={STUDY}&status=declined").text
    assert 'href="/staff/screening-log.csv?study=NCT06947746&amp;status=declined"' in page
    assert "status=declined&amp;pseudonymised=1" in page
    zh = coordinator.get(f"/staff/screening-log?study={STUDY}&lang=zh-CN").text
    assert "供申办方的假名化CSV" in zh


@pytest.mark.parametrize(
    ("born", "on", "shown"),
    [
        (date(1970, 3, 4), date(2026, 3, 3), "55"),
        (date(1970, 3, 4), date(2026, 3, 4), "56"),
        (date(1936, 1, 1), date(2026, 1, 1), "90+"),
        (date(1937, 1, 2), date(2026, 1, 1), "88"),
        (None, date(2026, 1, 1), ""),
        (date(2030, 1, 1), date(2026, 1, 1), ""),
    ],
)
def test_the_age_is_whole_years_and_over_89_is_grouped(
    born: date | None, on: date, shown: str
) -> None:
    assert age_shown(born, on) == shown


def test_the_age_is_taken_on_the_screening_date_where_set() -> None:
    row = LogRow(
        candidate_id=7, name="x", record_number=None, source="form", added_on=date(2026, 1, 1),
        dates={"screening": date(2026, 6, 1)}, consented_on=None, outcome="screening",
        outcome_on=None, reasons="", failed_criteria=(), subject_number=None,
        birth_date=date(1970, 3, 4), sex="female",
    )  # fmt: skip
    (got,) = csv.DictReader(io.StringIO(pseudonymised_csv([row], ["screening"], "screening")))
    assert (got["screening_number"], got["age"], got["screening_date"]) == (
        "S-007",
        "56",
        "2026-06-01",
    )
