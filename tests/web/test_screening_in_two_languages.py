"""The screening room and the investigator's signatures read in the reader's language
(issue 17, language): a browser asking for Chinese reads each page's title and labels in
Chinese, with none of the English it replaces; ``?lang=en`` gives the English back; what
was stored (a reason, a signature's meaning in the signed record) stays as stored."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trial.screening_helpers import date_and_consent, example, import_candidates, prepare_study
from trialdesk.trial import accounts
from trialdesk.trial.store.db import Store
from webclient import PASSWORD, client_as, csrf_token

STUDY = "NCT06947746"
CHINESE = {"accept-language": "zh-CN,zh;q=0.9"}


def read(client: TestClient, path: str) -> tuple[str, str]:
    """The page as a Chinese browser reads it, then with ``?lang=en``."""
    chinese = client.get(path, headers=CHINESE)
    assert chinese.status_code == 200, chinese.text
    english = client.get(f"{path}{'&' if '?' in path else '?'}lang=en", headers=CHINESE)
    assert english.status_code == 200, english.text
    client.cookies.delete("lang")  # ?lang= is remembered: the next page asks again
    return chinese.text, english.text


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html
    return found.group(1)


def shows(html: str, present: list[str], absent: list[str]) -> None:
    assert [t for t in present if t not in html] == [], "missing"
    assert [t for t in absent if t in html] == [], "left in the other language"


@pytest.fixture
def screened(app: FastAPI, store: Store) -> int:
    """ex-01, dated and consented: its judgment criteria wait for the investigator."""
    prepare_study(store)
    [cid] = import_candidates(store, example("01-eligible-looking.json"))
    date_and_consent(store, cid)
    with store.transaction() as session:
        user = accounts.find_user(session, "investigator")
        assert user is not None
        accounts.set_full_name(
            session, actor="admin", user_id=user.id, full_name="Dr. Wei Chen", reason="fixture"
        )
    return cid


def test_the_candidates_list_and_the_screening_page(app: FastAPI, screened: int) -> None:
    coordinator = client_as(app, "coordinator")
    chinese, english = read(coordinator, f"/staff/candidates?study={STUDY}")
    assert "候选受试者" in title(chinese) and "Candidates" in title(english)
    shows(
        chinese,
        ["添加候选受试者", "上传FHIR病历", "第1页，共1页（1名候选受试者）", "FHIR上传"],
        ["Add a candidate", "Upload a FHIR record", "Page 1 of 1", "Name or record number"],
    )
    shows(
        english,
        ["Add a candidate", "Page 1 of 1 (1 candidate)", "FHIR upload"],
        ["添加候选受试者", "第1页"],
    )

    chinese, english = read(coordinator, f"/staff/candidates/{screened}")
    assert "筛选" in title(chinese) and "screening" in title(english)
    shows(
        chinese,
        ["入选/排除标准核对表", "录入缺失的信息", "稽查轨迹", "已占名额：<strong>0</strong>/"],
        [
            "Eligibility checklist",
            "Enter a missing fact",
            "Audit trail",
            "Places taken",
            "Correct the identity",
        ],
    )
    shows(
        english,
        ["Eligibility checklist", "Places taken: <strong>0</strong> of"],
        ["入选/排除标准核对表", "稽查轨迹"],
    )


def test_the_confirmation_of_an_outcome_and_the_stored_reason(app: FastAPI, screened: int) -> None:
    coordinator = client_as(app, "coordinator")
    coordinator.headers.update(CHINESE)
    html = coordinator.get(f"/staff/candidates/{screened}").text
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version
    form = {
        "form": "outcome",
        "version": version.group(1),
        "outcome": "decline",
        "reason": "moved abroad",
        "csrf_token": csrf_token(coordinator, "/staff/candidates"),
    }
    asked = coordinator.post(f"/staff/candidates/{screened}/outcome", data=form)
    assert asked.status_code == 200, asked.text
    assert "确认：记录为不参加" in title(asked.text)
    shows(
        asked.text,
        ["不可撤销", "取消，返回筛选页面"],
        ["Confirm: Record as declined", "cannot be undone", "Today at the site is"],
    )
    done = coordinator.post(
        f"/staff/candidates/{screened}/outcome", data={**form, "confirmed": "yes"}
    )
    assert done.status_code == 303, done.text
    chinese, english = read(coordinator, f"/staff/candidates/{screened}")
    # the outcome in the reader's words; the reason as it was entered
    assert "不参加，操作人：coordinator — moved abroad" in chinese
    assert "Declined on " in english and "by coordinator — moved abroad" in english


def test_the_consent_forms_page(app: FastAPI, screened: int) -> None:
    chinese, english = read(client_as(app, "coordinator"), f"/staff/consent-forms?study={STUDY}")
    assert "知情同意书" in title(chinese) and "Consent forms" in title(english)
    shows(
        chinese,
        ["需重新知情同意", "版本", "现行版本"],
        ["Due for re-consent", "in effect from", "Versions"],
    )
    shows(english, ["Due for re-consent", "in effect from"], ["需重新知情同意"])


def test_the_signature_pages_and_a_signature_as_shown(app: FastAPI, screened: int) -> None:
    investigator = client_as(app, "investigator")
    chinese, english = read(investigator, "/staff/signatures")
    assert "待您签名" in title(chinese) and "Waiting for your signature" in title(english)
    shows(
        chinese,
        ["候选受试者的入选/排除标准判断", "审阅并签名"],
        ["Eligibility criteria of candidates", "Review and sign"],
    )
    chinese, english = read(investigator, "/staff")
    shows(chinese, ["待您签名"], ["Waiting for your signature"])
    shows(english, ["Waiting for your signature"], ["待您签名"])

    path = f"/staff/signatures/candidates/{screened}"
    chinese, english = read(investigator, path)
    assert "签署入选/排除标准判断" in title(chinese)
    assert "Sign eligibility criteria" in title(english)
    shows(
        chinese,
        ["签署已作出的决定", "入组资格判断", "暂不决定"],
        ["Sign the decisions made", "Your password, to sign", "not now"],
    )
    # the statement signed is the signed record's own, in English in both languages
    assert "I decide this eligibility criterion" in chinese

    investigator.headers.update(CHINESE)
    bases = dict(re.findall(r'name="basis-([A-Z0-9]+)" value="([0-9a-f]{64})"', chinese))
    cid, basis = next(iter(bases.items()))
    data = {
        "criterion": [cid],
        f"basis-{cid}": basis,
        f"decision-{cid}": "met",
        f"reason-{cid}": "",
        "password": PASSWORD,
        "csrf_token": csrf_token(investigator, path),
    }
    refused = investigator.post(path, data=data)
    assert refused.status_code == 422 and "请填写该决定的理由" in refused.text
    assert "give a reason" not in refused.text
    data[f"reason-{cid}"] = "seen at the screening visit"
    assert investigator.post(path, data=data).status_code == 303

    chinese, english = read(investigator, f"/staff/candidates/{screened}")
    shows(
        chinese,
        [
            '已签名：符合。签名人：<strong class="printed-name">Dr. Wei Chen</strong>',
            "签名含义：入组资格判断。",
            "“seen at the screening visit”",
        ],
        ["Signed met by", "meaning: eligibility decision"],
    )
    shows(
        english,
        [
            'Signed met by <strong class="printed-name">Dr. Wei Chen</strong>',
            "meaning: eligibility decision.",
        ],
        ["签名含义"],
    )
