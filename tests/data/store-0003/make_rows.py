"""Make rows.json: a trial store at schema revision 0003, populated through the services
of trialdesk as it was at that revision (commit 7ecd503), dumped table by table.

    git worktree add /tmp/at-0003 7ecd503
    cd /tmp/at-0003 && PYTHONPATH=src:tests python <this file> <out dir>

tests/trial/test_migrations.py loads the rows into a database at 0003 (SQLite and
PostgreSQL), upgrades it to the newest revision and checks that nothing was lost: every
value is where the new schema keeps it, the audit chain verifies, and each candidate's
checklist reads as it did (``expected`` below, recorded by the 0003 code itself).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import MetaData, select
from trialdesk.trial.checklist import FactEntry, build_checklist
from trialdesk.trial.db import open_store
from trialdesk.trial.roles import Role

from trial.helpers import NOW, PASSWORD  # type: ignore[import-not-found]
from trial.screening_helpers import (  # type: ignore[import-not-found]
    BASELINE,
    STUDY,
    TODAY,
    date_and_consent,
    eligible_candidates,
    ex01_copies,
    example,
    import_candidates,
    prepare_study,
    sign_all,
)
from trialdesk.trial import accounts, candidates, enrolment, leads, screening_actions, sessions


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, date):
        return {"date": v.isoformat()}
    return v


ICD9CM_OID = "urn:oid:2.16.840.1.113883.6.103"
CPT_OID = "urn:oid:2.16.840.1.113883.6.12"
RESOLVED = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def _oid_coded(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """A past knee osteoarthrosis (ICD-9-CM) and arthroscopy (CPT), coded by their OIDs."""
    resources = [e["resource"] for e in bundle["entry"]]
    who = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    subject = {"reference": f"Patient/{who}"}
    return [
        {
            "resourceType": "Condition",
            "id": "oid-1",
            "subject": subject,
            "clinicalStatus": {"coding": [{"system": RESOLVED, "code": "resolved"}]},
            "code": {"coding": [{"system": ICD9CM_OID, "code": "715.16"}]},
            "onsetDateTime": "2010-05-01",
            "abatementDateTime": "2011-01-01",
        },
        {
            "resourceType": "Procedure",
            "id": "oid-2",
            "status": "completed",
            "subject": subject,
            "code": {"coding": [{"system": CPT_OID, "code": "29881"}]},
            "performedDateTime": "2012-03-01",
        },
    ]


def main(out: Path) -> None:
    db = out / "store.db"
    db.unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    investigator = prepare_study(store)
    with store.transaction() as s:
        for name, role in (("coord", Role.COORDINATOR), ("mona", Role.MONITOR)):
            accounts.create_user(
                s, actor="system", username=name, password=PASSWORD, role=role, reason="fixture"
            )
        ivy = accounts.find_user(s, "ivy")
        assert ivy is not None
        sessions.start(s, ivy, NOW)
        lead = leads.store_lead(
            s,
            study_id=STUDY.id,
            contact=leads.LeadContact(name="Wang Fang", email="wf@example.org"),
            answers={"age": "52"},
            outcome={"verdict": "may_be_eligible"},
            consent_text="I agree to be contacted.",
            consented=True,
            now=NOW,
        )
        from_lead = candidates.from_lead(s, actor="coord", lead_id=lead.id, now=NOW)
    # three eligible, consented, signed candidates: one enrolled, one withdrawn after it
    a, b, c = eligible_candidates(store, investigator, 3)
    with store.transaction() as s:
        enrolment.enrol(s, actor="coord", study=STUDY, candidate_id=a, expected_version=None,
                        today=TODAY, now=NOW)  # fmt: skip
        enrolment.enrol(s, actor="coord", study=STUDY, candidate_id=b, expected_version=None,
                        today=TODAY, now=NOW)  # fmt: skip
        enrolment.withdraw(s, actor="coord", candidate_id=b, expected_version=None,
                           withdrawn_on=TODAY, reason="moved away",
                           now=NOW + timedelta(days=1))  # fmt: skip
    # c: a new ALT result changes E10's evidence; a fact on I4's evidence lapses its signature
    with store.transaction() as s:
        screening_actions.add_fact(
            s, actor="coord", study=STUDY, candidate_id=c, now=NOW,
            entry=FactEntry(concept="womac_pain", on=TODAY, value="7",
                            source_document="WOMAC form"),
        )  # fmt: skip
    # an upload whose codes are spelled as OIDs the reader keeps as sent (ICD-9-CM, CPT):
    # its signatures must still be current after an upgrade (the evidence fingerprint
    # covers the record as read)
    coded = json.loads(ex01_copies(1, start=9))
    for resource in _oid_coded(coded):
        coded["entry"].append({"fullUrl": f"urn:uuid:{uuid4()}", "resource": resource})
    (e,) = import_candidates(store, json.dumps(coded).encode(), "oid-coded.json")
    date_and_consent(store, e)
    sign_all(store, investigator, e)
    # ex-02: excluded by E10, E15, E24, closed as a screen failure
    (d,) = import_candidates(store, example("02-ineligible-alt-zoster-bmi.json"), "ex02.json")
    date_and_consent(store, d)
    with store.transaction() as s:
        enrolment.screen_fail(s, actor="coord", study=STUDY, candidate_id=d,
                              expected_version=None, reason=None, today=TODAY, now=NOW)  # fmt: skip
    expected = {}
    with store.read() as s:
        for cid in (a, b, c, d, e, from_lead.id):
            checklist = build_checklist(s, STUDY, candidates.candidate_or_404(s, cid), TODAY)
            expected[str(cid)] = {
                "verdict": checklist.result.verdict.value,
                "statuses": {r.criterion.id: r.status.value for r in checklist.result.criteria},
                "judgments": sorted(
                    [j.criterion_id, j.decision, j.signed_by, j.current]
                    for views in checklist.judgments.values()
                    for j in views
                ),
            }
    meta = MetaData()
    meta.reflect(store.engine)
    tables = {}
    with store.engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            tables[table.name] = [{k: _value(v) for k, v in r.items()} for r in rows]
    doc = {
        "revision": "0003",
        "made_by": "tests/data/store-0003/make_rows.py at commit 7ecd503",
        "today": TODAY.isoformat(),
        "baseline": BASELINE.isoformat(),
        "tables": tables,
        "expected": expected,
    }
    (out / "rows.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    db.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
