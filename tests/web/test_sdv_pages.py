"""The SDV pages: the study's progress and a participant's items, bilingual; the monitor
ticks items (CSRF, one POST verifying many, or a whole section), everyone else reads;
a change shows as changed since verification; the participant's page shows the panel."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import DAY1, INJECTION, enrolled, inject, save, typical_values, visit_on
from trial.screening_helpers import STUDY
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.review.sdv_models import SdvVerification
from trialdesk.trial.store.db import Store
from webclient import client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")

DOSE = "item:D1/injection#1/dose"
BOX = re.compile(r'name="target" value="([^"]+)"')
ALL = re.compile(r'name="all_target" value="([^"]+)"')
SUMMARY = re.compile(r'<table class="table table-compact" id="sdv-summary">.*?</table>', re.S)
assert STUDY.schedule is not None
W24 = STUDY.schedule.visit("W24").target_date(DAY1)
assert W24 is not None


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def verified(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(SdvVerification)) or 0


def test_the_monitor_ticks_items_and_a_change_shows(app: FastAPI, store: Store, pid: int) -> None:
    mona = client_as(app, "monitor")
    page = mona.get(f"/staff/participants/{pid}/sdv")
    assert page.status_code == 200, page.text
    assert "Source data verification" in page.text and "Protocol assumption" in page.text
    boxes = BOX.findall(page.text)
    dose = next(b for b in boxes if b.startswith(DOSE + "|"))
    token = csrf_token(mona, f"/staff/participants/{pid}/sdv")
    # without the CSRF token: refused, nothing stored
    refused = mona.post(f"/staff/participants/{pid}/sdv", data={"target": dose})
    assert refused.status_code == 403 and verified(store) == 0
    consent = next(b for b in boxes if b.startswith("consent:"))
    done = mona.post(
        f"/staff/participants/{pid}/sdv",
        data={"csrf_token": token, "target": [dose, consent], "scope": "selected"},
    )
    assert done.status_code == 303 and verified(store) == 2
    page = mona.get(f"/staff/participants/{pid}/sdv")
    assert DOSE + "|" not in "".join(BOX.findall(page.text))  # verified: no box
    assert "badge-ok" in page.text
    # a whole section at once
    section = [v for v in ALL.findall(page.text) if v.startswith("item:D1/injection#1/")]
    whole = mona.post(
        f"/staff/participants/{pid}/sdv",
        data={"csrf_token": token, "all_target": section, "scope": "all"},
    )
    assert whole.status_code == 303 and verified(store) == 2 + len(section)
    with store.read() as session:
        version = session.scalars(
            select(FormRecord.version).where(FormRecord.form_id == "injection")
        ).one()
    save(store, pid, "injection", {**INJECTION, "dose": "45"}, visit="D1", version=version,
         reason="the source says 45")  # fmt: skip
    page = mona.get(f"/staff/participants/{pid}/sdv?lang=zh-CN")
    assert "核查后已更改" in page.text and "源数据核查" in page.text
    # a stale tick (the old digest) is refused with the page and its message
    stale = mona.post(
        f"/staff/participants/{pid}/sdv", data={"csrf_token": token, "target": [dose]}
    )
    assert stale.status_code == 409 and "changed since the page was opened" in stale.text


def test_others_read_only_and_may_not_post(app: FastAPI, store: Store, pid: int) -> None:
    for role in ("coordinator", "investigator"):
        client = client_as(app, role)
        page = client.get(f"/staff/participants/{pid}/sdv")
        assert page.status_code == 200 and not BOX.findall(page.text)
        assert "Only a monitor verifies" in page.text
        token = csrf_token(client, f"/staff/participants/{pid}/sdv")
        post = client.post(
            f"/staff/participants/{pid}/sdv", data={"csrf_token": token, "target": DOSE}
        )
        assert post.status_code == 403 and verified(store) == 0
    assert client_as(app, "admin").get("/staff/sdv").status_code == 403


def test_the_study_page_and_the_participants_panel(app: FastAPI, pid: int) -> None:
    client = client_as(app, "coordinator")
    overall = client.get("/staff/sdv")
    assert overall.status_code == 200, overall.text
    assert f'href="/staff/participants/{pid}/sdv"' in overall.text
    assert 'id="sdv-overall"' in overall.text and "plan not met" in overall.text
    zh = client.get("/staff/sdv?lang=zh-CN")
    assert "关键数据" in zh.text and "抽样数据" in zh.text
    participant = client.get(f"/staff/participants/{pid}")
    assert participant.status_code == 200
    assert 'id="sdv-progress"' in participant.text


def test_the_pages_read_in_the_readers_language(app: FastAPI, pid: int) -> None:
    mona = client_as(app, "monitor")
    zh = {"Accept-Language": "zh-CN"}
    study = mona.get("/staff/sdv", headers=zh).text
    assert "<title>源数据核查" in study and "关键数据（100%）" in study and "未完成计划" in study
    for english in ("Critical (100%)", "plan not met", "Sampled rate of the other items"):
        assert english not in study
    mine = mona.get(f"/staff/participants/{pid}/sdv", headers=zh).text
    assert "<title>源数据核查" in mine and "将所选条目标记为已核查" in mine and "尚未核查" in mine
    assert "Mark the selected items verified" not in mine and "not yet verified" not in mine
    panel = mona.get(f"/staff/participants/{pid}", headers=zh).text
    assert ">源数据核查</a>" in panel
    english = mona.get(f"/staff/participants/{pid}/sdv?lang=en").text
    assert "<title>Source data verification" in english
    assert "Mark the selected items verified" in english and "将所选条目标记为已核查" not in english


def keys_on(page: str) -> set[str]:
    """The targets a page lists (each row shows its key)."""
    return set(re.findall(r'<span class="muted nowrap">([^<]+)</span>', page))


def test_the_sample_is_on_the_monitors_page_only(app: FastAPI, store: Store, pid: int) -> None:
    """The monitor's page lists the items drawn into the sample; the site's pages show
    the same counts, the critical items and, once verified, a sampled one: never the
    sample still to verify."""
    visit_on(store, pid, "W24", W24)
    save(store, pid, "chemistry", typical_values("chemistry"), visit="W24")
    mona = client_as(app, "monitor")
    mine = mona.get(f"/staff/participants/{pid}/sdv").text
    sampled = sorted(k for k in keys_on(mine) if k.startswith("item:W24/chemistry#1/"))
    assert sampled, "the draw gives this participant sampled chemistry items"
    summary = SUMMARY.search(mine)
    assert summary is not None
    for role in ("coordinator", "investigator"):
        theirs = client_as(app, role).get(f"/staff/participants/{pid}/sdv")
        assert theirs.status_code == 200
        assert not keys_on(theirs.text) & set(sampled)
        assert DOSE in keys_on(theirs.text)  # critical: shown
        assert summary.group(0) in theirs.text  # the same counts
        assert "shown to the monitor only" in theirs.text
        zh = client_as(app, role).get(f"/staff/participants/{pid}/sdv?lang=zh-CN")
        assert "仅对监查员显示" in zh.text
    token = csrf_token(mona, f"/staff/participants/{pid}/sdv")
    box = next(b for b in BOX.findall(mine) if b.startswith(sampled[0] + "|"))
    done = mona.post(f"/staff/participants/{pid}/sdv", data={"csrf_token": token, "target": box})
    assert done.status_code == 303
    theirs = client_as(app, "coordinator").get(f"/staff/participants/{pid}/sdv").text
    assert keys_on(theirs) & set(sampled) == {sampled[0]}


def test_a_tick_without_its_digest_is_refused(app: FastAPI, store: Store, pid: int) -> None:
    mona = client_as(app, "monitor")
    token = csrf_token(mona, f"/staff/participants/{pid}/sdv")
    for sent in (DOSE, DOSE + "|"):
        refused = mona.post(
            f"/staff/participants/{pid}/sdv", data={"csrf_token": token, "target": sent}
        )
        assert refused.status_code == 422, refused.text
        assert "without the digest it was shown with" in refused.text
        assert verified(store) == 0


def test_instants_are_shown_at_the_site_with_the_offset(app: FastAPI, pid: int) -> None:
    """Stored instants (in UTC) read as the site's wall clock (Asia/Shanghai, the
    schedule's zone) with the offset; dates as dates; a date and time typed at the site
    is not repeated as typed."""
    mona = client_as(app, "monitor")
    page = mona.get(f"/staff/participants/{pid}/sdv").text
    # consented at 2026-02-27 09:30 UTC (screening_helpers.CONSENTED_AT), signed that day
    assert "consented_at: 2026-02-27 17:30 +08:00" in page
    assert "participant_signed_on: 2026-02-27" in page
    # judgments signed at 2026-03-02 09:00 UTC (helpers.NOW)
    assert "signed_at: 2026-03-02 17:00 +08:00" in page
    # the injection, typed 2026-03-16T10:30 at the site
    assert "2026-03-16 10:30 +08:00" in page and "(typed" not in page
    assert "+00:00" not in page and "T09:30" not in page
    token = csrf_token(mona, f"/staff/participants/{pid}/sdv")
    box = next(b for b in BOX.findall(page) if b.startswith("consent:"))
    mona.post(f"/staff/participants/{pid}/sdv", data={"csrf_token": token, "target": box})
    page = mona.get(f"/staff/participants/{pid}/sdv").text
    when = re.search(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? [+-]\d{2}:\d{2}) · monitor", page)
    assert when is not None and when.group(1).endswith("+08:00")  # verified at, at the site
