"""The audit page as a monitor uses it (walkthrough D21): old → new values, paging past
200 entries, filters by kind of record and site dates, a CSV of every matching entry, and
a FHIR upload's entry linked to the candidates it created."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from webclient import Api, client_as

ROOT = Path(__file__).resolve().parents[2]
STUDY = "NCT06947746"
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _log(store: Store, count: int) -> None:
    """``count`` updates of made-up records, one minute apart, each with old → new."""
    with store.transaction() as session:
        for n in range(count):
            audit.append(
                session,
                actor="coordinator",
                action=audit.Action.UPDATE,
                entity="visit_record",
                entity_id=str(n + 1),
                changes={"status": (f"planned {n}", f"done {n}")},
                reason=f"entry {n}",
                at=START + timedelta(minutes=n),
            )


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="entry-(\d+)"', page)]


def test_the_trail_pages_past_200_entries_without_gaps(app: FastAPI, store: Store) -> None:
    _log(store, 450)
    monitor = client_as(app, "monitor")
    seen: list[int] = []
    path: str | None = "/staff/audit?entity=visit_record"
    pages = 0
    while path:
        page = monitor.get(path)
        assert page.status_code == 200, page.text
        ids = _ids(page.text)
        assert len(ids) <= 200 and ids == sorted(ids, reverse=True)
        seen += ids
        pages += 1
        older = re.search(r'href="(/staff/audit\?[^"]*before=\d+)" id="audit-older"', page.text)
        path = older.group(1).replace("&amp;", "&") if older else None
        if path:
            assert "entity=visit_record" in path  # the filter goes along
    assert pages == 3
    assert len(seen) == len(set(seen)) == 450


def test_each_change_is_shown_old_to_new(app: FastAPI, store: Store) -> None:
    _log(store, 3)
    page = client_as(app, "monitor").get("/staff/audit").text
    assert "<strong>status</strong>: planned 2 → done 2" in page


def test_site_days_filter_in_the_sites_time_zone(app: FastAPI, store: Store) -> None:
    """23:30 UTC on 7 December is 07:30 on 8 December in Shanghai (the study's zone)."""
    with store.transaction() as session:
        for n, at in enumerate((datetime(2026, 12, 7, 15, 59, tzinfo=UTC),
                                datetime(2026, 12, 7, 23, 30, tzinfo=UTC))):  # fmt: skip
            audit.append(
                session, actor="coordinator", action=audit.Action.UPDATE,
                entity="visit_record", entity_id=str(900 + n), at=at,
            )  # fmt: skip
    monitor = client_as(app, "monitor")
    page = monitor.get("/staff/audit?entity=visit_record&since=2026-12-08&until=2026-12-08")
    assert "visit 901" in page.text and "visit 900" not in page.text
    assert "2026-12-08 07:30:00" in page.text and "Asia/Shanghai" in page.text


def test_every_wrong_filter_is_named_at_once(app: FastAPI) -> None:
    page = client_as(app, "monitor").get("/staff/audit?candidate=x&since=2026-13-40&until=soon")
    assert page.status_code == 422
    assert page.text.count('class="field-error"') == 3


def test_the_csv_holds_every_matching_entry_for_excel(app: FastAPI, store: Store) -> None:
    _log(store, 450)
    monitor = client_as(app, "monitor")
    export = monitor.get("/staff/audit.csv?entity=visit_record")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    assert export.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 450 and {r["record"] for r in rows} == {"visit_record"}
    last = rows[0]
    assert last["changes"] == "status: planned 449 → done 449"
    assert last["at_site"].endswith("+08:00") and last["at_utc"].endswith("+00:00")
    mine = monitor.get("/staff/audit.csv?actor=nobody")
    assert list(csv.reader(io.StringIO(mine.content.decode("utf-8-sig")))) == [
        next(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    ]  # the header alone: the filter applies to the export too


def test_a_fhir_upload_entry_links_to_the_candidates_it_created(app: FastAPI) -> None:
    coordinator = Api(app, "coordinator")
    upload = coordinator.client.post(
        f"/api/candidates/fhir?study={STUDY}&filename=03.json",
        content=(ROOT / "examples" / "03-incomplete-no-labs.json").read_bytes(),
        headers={**coordinator.headers, "content-type": "application/json"},
    )
    assert upload.status_code == 201, upload.text
    (created,) = [c["id"] for c in upload.json()]
    monitor = client_as(app, "monitor")
    page = monitor.get("/staff/audit?entity=fhir_upload").text
    row = page.split('<tr id="entry-', 1)[1].split("</tr>", 1)[0]
    assert "FHIR upload" in row and f'href="/staff/candidates/{created}"' in row
    export = monitor.get("/staff/audit.csv?entity=fhir_upload").content.decode("utf-8-sig")
    (entry,) = csv.DictReader(io.StringIO(export))
    assert entry["candidates"] == str(created)


def test_the_page_reads_in_chinese(app: FastAPI) -> None:
    client: TestClient = client_as(app, "monitor")
    page = client.get("/staff/audit?lang=zh-CN").text
    assert "审计追踪" in page and "记录类型" in page and "下载CSV" in page
