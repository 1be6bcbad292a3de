"""The safety room's pages: a participant's adverse events recorded and corrected from the
page (every error at its field at once, nothing stored; a stale correction is a 409),
the investigator's causality signed (a coordinator neither sees the form nor may post
it) and lapsing visibly, the study hold banner and the signed review that resumes, the
listing's filters and its CSV, a monitor who reads all and writes nothing, both languages."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trial.conduct_helpers import enrolled, inject
from trial.test_safety_helpers import EVENT, written
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.store.db import Store
from trialdesk.web.rooms.safety.labels import ZH
from webclient import PASSWORD, client_as, csrf_token


@pytest.fixture
def participant(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)  # day 1: 2026-03-16
    return pid


def _page(pid: int) -> str:
    return f"/staff/participants/{pid}/adverse-events"


def _post(client: TestClient, path: str, data: dict[str, Any], page: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _form(**changes: Any) -> dict[str, Any]:
    values = {**EVENT, "grade": str(EVENT["grade"]), **changes}
    return {k: v for k, v in values.items() if v not in ((), None)}


def _record(client: TestClient, pid: int, **changes: Any) -> Any:
    return _post(client, _page(pid), _form(**changes), _page(pid))


def _event_path(response: Any) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("?")[0]


def _errors(html: str) -> dict[str, str]:
    """Each field's message as the page shows it next to the field."""
    return dict(
        re.findall(r'<p class="field-error" id="f-([a-z_]+)-error">.*?</span>(.*?)</p>', html)
    )


def test_record_an_event_and_see_it_listed(app: FastAPI, store: Store, participant: int) -> None:
    client = client_as(app, "coordinator")
    page = client.get(_page(participant))
    assert page.status_code == 200
    assert (
        '<datalist id="ctcae-terms">' in page.text
        and '<option value="Joint effusion">' in page.text
    )
    done = _record(client, participant, seriousness=["hospitalisation"])
    event_page = client.get(_event_path(done) + "?saved=1")
    assert event_page.status_code == 200 and "Saved." in event_page.text
    assert "Requires or prolongs hospitalisation" in event_page.text
    listed = client.get(_page(participant)).text
    assert (
        "Joint effusion" in listed and "Musculoskeletal and connective tissue disorders" in listed
    )
    assert "2026-03-18 – 2026-03-25" in listed
    assert 'badge badge-bad">Serious' in listed and ">TEAE<" in listed
    assert "not assessed" in listed
    # the grade definitions of the current term are rendered on the server (no JS needed)
    assert "Symptomatic; limiting instrumental ADL" in event_page.text
    # CTCAE prints "-" for grade 4 of Joint effusion: not offered
    assert re.search(r'id="f-grade-4"[^>]* disabled', event_page.text)


def test_partial_dates_are_shown_as_given(app: FastAPI, participant: int) -> None:
    client = client_as(app, "coordinator")
    done = _record(client, participant, onset="2026-03", end=None, outcome="RECOVERING/RESOLVING")
    assert done.status_code == 303, done.text
    assert "2026-03 – ongoing" in client.get(_page(participant)).text


def test_bad_input_every_error_at_its_field_nothing_stored(
    app: FastAPI, store: Store, participant: int
) -> None:
    client = client_as(app, "coordinator")
    before = written(store)
    refused = _record(
        client, participant, term="Joint efusion", onset="2026-03-20", end="2026-03-19",
        grade="5", outcome="RECOVERED/RESOLVED",
    )  # fmt: skip
    assert refused.status_code == 422
    errors = _errors(refused.text)
    assert "not in the" in errors["term"] and "Joint effusion" in errors["term"]  # closest
    assert "before the onset" in errors["end"]
    assert "FATAL" in errors["outcome"]  # grade 5 without a fatal outcome
    # what was typed comes back
    assert 'value="Joint efusion"' in refused.text and 'value="2026-03-19"' in refused.text
    grave = _record(client, participant, grade="3", seriousness=["death"])
    assert grave.status_code == 422
    assert "FATAL" in _errors(grave.text)["seriousness"]
    early = _record(client, participant, onset="2025-01-01", end="2025-01-02")
    assert early.status_code == 422 and "informed consent" in _errors(early.text)["onset"]
    assert written(store) == before


def test_a_stale_correction_is_refused_with_reload(
    app: FastAPI, store: Store, participant: int
) -> None:
    client = client_as(app, "coordinator")
    path = _event_path(_record(client, participant))
    first = _post(client, path, {**_form(grade="3"), "version": "1", "reason": "re-graded"}, path)
    assert first.status_code == 303, first.text
    with store.read() as session:
        assert session.get(AdverseEvent, int(path.rsplit("/", 1)[1])).grade == 3  # type: ignore[union-attr]
    stale = _post(client, path, {**_form(grade="1"), "version": "1", "reason": "x"}, path)
    assert stale.status_code == 409 and "reload" in stale.text
    unchanged = _post(client, path, {**_form(grade="3"), "version": "2"}, path)
    assert unchanged.status_code == 422 and "give a reason" in _errors(unchanged.text)["reason"]


def test_causality_signed_by_the_investigator_and_lapsing(
    app: FastAPI, store: Store, participant: int
) -> None:
    coordinator = client_as(app, "coordinator")
    path = _event_path(_record(coordinator, participant))
    page = coordinator.get(path).text
    assert "/causality" not in page and "Only the investigator assesses causality." in page
    before = written(store)
    refused = _post(
        coordinator, path + "/causality",
        {"relationship_product": "possible", "relationship_procedure": "possible",
         "expected": "no", "password": PASSWORD}, path,
    )  # fmt: skip
    assert refused.status_code == 403
    assert written(store) == before

    investigator = client_as(app, "investigator")
    assert 'action="' + path + '/causality"' in investigator.get(path).text
    missing = _post(
        investigator, path + "/causality", {"password": PASSWORD, "form": "causality"}, path
    )
    assert missing.status_code == 422
    errors = _errors(missing.text)
    assert {"relationship_product", "relationship_procedure", "expected"} <= set(errors)
    signed = _post(
        investigator, path + "/causality",
        {"relationship_product": "possible", "relationship_procedure": "probable",
         "expected": "no", "password": PASSWORD, "version": "1", "form": "causality"}, path,
    )  # fmt: skip
    assert signed.status_code == 303, signed.text
    page = investigator.get(path).text
    assert 'badge badge-ok">signed' in page and "signed by" in page and "(investigator)" in page
    # a correction of the grade lapses it, visibly
    corrected = _post(
        coordinator, path, {**_form(grade="3"), "version": "1", "reason": "re-graded"}, path
    )
    assert corrected.status_code == 303, corrected.text
    page = coordinator.get(path).text
    assert 'badge badge-bad"' in page and "no longer covers it" in page
    assert "lapsed" in coordinator.get(_page(participant)).text


def test_the_hold_banner_and_the_signed_review(app: FastAPI, participant: int) -> None:
    coordinator = client_as(app, "coordinator")
    path = _event_path(
        _record(
            coordinator,
            participant,
            term="Joint infection",
            grade="4",
            end=None,
            outcome="NOT RECOVERED/NOT RESOLVED",
            seriousness=["life_threatening"],
        )  # fmt: skip
    )
    investigator = client_as(app, "investigator")
    signed = _post(
        investigator, path + "/causality",
        {"relationship_product": "probable", "relationship_procedure": "possible",
         "expected": "no", "password": PASSWORD, "form": "causality"}, path,
    )  # fmt: skip
    assert signed.status_code == 303, signed.text
    dashboard = coordinator.get("/staff/participants").text
    assert (
        "The study is paused" in dashboard and "Any related grade 4 or 5 adverse event" in dashboard
    )
    chinese = coordinator.get("/staff/participants?lang=zh-CN").text
    assert "研究已暂停" in chinese and "任何相关的4级或5级不良事件" in chinese
    assert "The study is paused" in coordinator.get(_page(participant) + "?lang=en").text
    hold = "/staff/safety/hold"
    page = coordinator.get(hold).text
    assert "AE 1" in page and 'action="/staff/safety/hold/review"' not in page
    assert (
        _post(
            coordinator, hold + "/review", {"decision": "x", "password": PASSWORD}, hold
        ).status_code
        == 403
    )
    empty = _post(investigator, hold + "/review", {"decision": "", "password": PASSWORD}, hold)
    assert empty.status_code == 422 and "decision" in _errors(empty.text)
    resumed = _post(
        investigator, hold + "/review",
        {"decision": "DSMB reviewed: resume with added joint checks", "password": PASSWORD}, hold,
    )  # fmt: skip
    assert resumed.status_code == 303, resumed.text
    assert "The study is paused" not in coordinator.get("/staff/participants").text
    assert "The study is not paused." in coordinator.get(hold).text


def test_listing_filters_and_csv(app: FastAPI, store: Store) -> None:
    _, pids = enrolled(store, 2)
    for pid in pids:
        inject(store, pid)
    client = client_as(app, "coordinator")
    _record(client, pids[0])
    _record(client, pids[0], term="Injection site reaction", grade="1", verbatim="=HYPERLINK(1)")
    _record(client, pids[1], term="Arthralgia", grade="3", seriousness=["medically_important"])
    listing = client_as(app, "monitor")
    every = listing.get("/staff/safety").text
    assert every.count('data-event="') == 3
    assert listing.get("/staff/safety?serious=yes").text.count('data-event="') == 1
    assert listing.get("/staff/safety?grade_at_least=2").text.count('data-event="') == 2
    assert listing.get("/staff/safety?term=injection").text.count('data-event="') == 1
    assert listing.get("/staff/safety?term=musculoskeletal").text.count('data-event="') == 2
    assert listing.get("/staff/safety?aesi=injection_site_reaction").text.count('data-event="') == 1
    assert listing.get("/staff/safety?teae=no").text.count('data-event="') == 0
    assert listing.get("/staff/safety?related=yes").text.count('data-event="') == 0
    assert listing.get("/staff/safety?participant=01-002").text.count('data-event="') == 1
    bad = listing.get("/staff/safety?grade_at_least=7&serious=maybe&aesi=nope")
    assert bad.status_code == 422
    assert {"grade_at_least", "serious", "aesi"} <= set(_errors(bad.text))

    exported = listing.get("/staff/safety/adverse-events.csv?grade_at_least=1&lang=zh-CN")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["受试者编号", "编号", "原始描述"]
    assert len(rows) == 4 and {r[0] for r in rows[1:]} == {"01-001", "01-002"}
    assert "'=HYPERLINK(1)" in [r[2] for r in rows]  # not run as a formula
    english = listing.get("/staff/safety/adverse-events.csv?lang=en&serious=yes")
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Subject" and len(rows) == 2 and rows[1][3] == "Arthralgia"
    # no personal data: the candidate's name is nowhere
    assert "Example" not in exported.content.decode("utf-8-sig")


def test_a_monitor_reads_everything_and_changes_nothing(
    app: FastAPI, store: Store, participant: int
) -> None:
    path = _event_path(_record(client_as(app, "coordinator"), participant))
    monitor = client_as(app, "monitor")
    before = written(store)
    for page in (_page(participant), path, "/staff/safety", "/staff/safety/hold"):
        shown = monitor.get(page)
        assert shown.status_code == 200
        main = shown.text.split("<main", 1)[1].split("</main>", 1)[0]
        assert 'method="post"' not in main, page  # no form to change anything
    token = csrf_token(monitor, path)
    for target in (_page(participant), path, path + "/causality", "/staff/safety/hold/review"):
        assert monitor.post(target, data={**_form(), "csrf_token": token}).status_code == 403
    assert written(store) == before


def test_every_page_in_chinese(app: FastAPI, participant: int) -> None:
    client = client_as(app, "investigator")
    path = _event_path(_record(client, participant, seriousness=["hospitalisation"]))
    for page in (_page(participant), path, "/staff/safety", "/staff/safety/hold"):
        shown = client.get(page + ("&" if "?" in page else "?") + "lang=zh-CN")
        assert shown.status_code == 200, (page, shown.text[:500])
        assert "不良事件" in shown.text or "研究暂停" in shown.text
    event = client.get(path + "?lang=zh-CN").text
    assert "需要住院或延长住院时间" in event and "因果关系评估" in event
    assert "与研究产品的关系" in event
    participant_page = client.get(f"/staff/participants/{participant}?lang=zh-CN").text
    assert f'href="/staff/participants/{participant}/adverse-events">不良事件' in participant_page


def test_every_label_has_its_chinese() -> None:
    assert all(ZH.values()) and all(k.strip() for k in ZH)


def test_a_refused_form_in_chinese(app: FastAPI, store: Store, participant: int) -> None:
    client = client_as(app, "coordinator")
    before = written(store)
    page = _page(participant) + "?lang=zh-CN"
    refused = _post(client, page, _form(end="2026-03-01", verbatim=""), page)
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "未作更改" in summary and "原始描述" in summary and "结束日期" in summary
    assert written(store) == before


def test_the_investigator_records_and_signs_in_one_act(
    app: FastAPI, store: Store, participant: int
) -> None:
    investigator = client_as(app, "investigator")
    assert 'id="record-causality"' in investigator.get(_page(participant)).text
    assessed = {"relationship_product": "unlikely", "relationship_procedure": "possible",
                "expected": "yes", "password": PASSWORD}  # fmt: skip
    path = _event_path(_record(investigator, participant, **assessed))
    page = investigator.get(path).text
    assert 'badge badge-ok">signed' in page and "Unlikely" in page
    # a coordinator is not offered it; one who posts it anyway is told at the field, with
    # the event's own problems, and nothing is stored
    coordinator = client_as(app, "coordinator")
    assert 'id="record-causality"' not in coordinator.get(_page(participant)).text
    before = written(store)
    refused = _record(coordinator, participant, end="2026-03-01", **assessed)
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "investigator&#39;s to assess and sign" in summary and "before the onset" in summary
    alone = _record(coordinator, participant, **assessed)
    assert alone.status_code == 422 and "investigator&#39;s" in alone.text
    assert written(store) == before
