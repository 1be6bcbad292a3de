"""Helpers for the screening workflow tests: eligible, consented candidates made through
the services themselves (FHIR import, screening details, consent, signed judgments)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from trialdesk.study.loader import Study, load_study
from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, imports, judgments
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import Base

from .helpers import NOW, PASSWORD

EXAMPLES = Path(__file__).parents[2] / "examples"
STUDY: Study = load_study("NCT06947746")
TODAY = date(2026, 3, 2)  # the examples' screening date (examples/README.md)
BASELINE = date(2026, 3, 16)
CONSENTED_AT = datetime(2026, 2, 27, 9, 30, tzinfo=UTC)  # the examples' consent visit
FORM = "1.0"
INVESTIGATOR = "ivy"
# ex-01 is eligible once the investigator signs these (examples/README.md)
JUDGED = {"I4": "met", "E2": "not_met", "E21": "not_met", "E25": "not_met", "E26": "not_met",
          "E28": "not_met"}  # fmt: skip

_UUID = re.compile(r"urn:uuid:[0-9a-f-]{36}")


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def ex01_copies(n: int, start: int = 1) -> bytes:
    """A Bundle of ``n`` copies of ex-01, each a distinct person: own ids, references,
    fullUrls, record number and family name (so none is flagged as another's duplicate)."""
    text = example("01-eligible-looking.json").decode("utf-8")
    entries: list[Any] = []
    for i in range(start, start + n):
        copy = text.replace("ex-01", f"cp-{i:05d}").replace("EX-2026-0001", f"CP-{i:05d}")
        copy = copy.replace("Qiao", f"Qiao-{i}")
        copy = _UUID.sub(lambda m, i=i: _uuid(m.group(0), i), copy)
        entries.extend(json.loads(copy)["entry"])
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


def _uuid(old: str, i: int) -> str:
    h = hashlib.sha256(f"{old}/{i}".encode()).hexdigest()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def count(store: Store, model: type[Base]) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def counts(store: Store, *models: type[Base]) -> dict[str, int]:
    return {m.__tablename__: count(store, m) for m in models}


def prepare_study(store: Store) -> int:
    """An investigator (who signs) and consent form version 1.0; the investigator's id."""
    with store.transaction() as session:
        user = accounts.create_user(
            session,
            actor="system",
            username=INVESTIGATOR,
            password=PASSWORD,
            role=Role.INVESTIGATOR,
            reason="test fixture",
        )
        consent.add_form_version(
            session,
            actor=INVESTIGATOR,
            study_id=STUDY.id,
            version=FORM,
            effective_on=date(2026, 1, 1),
            now=NOW,
        )
        return user.id


def import_candidates(store: Store, data: bytes, filename: str = "upload.json") -> list[int]:
    with store.transaction() as session:
        added = imports.import_fhir(
            session, actor="coord", study_id=STUDY.id, filename=filename, data=data, now=NOW
        )
        return [c.id for c in added]


def date_and_consent(store: Store, candidate_id: int) -> None:
    """The examples' dates and knee, and consent on form 1.0 at the consent visit."""
    with store.transaction() as session:
        cands.set_screening_details(
            session,
            study=STUDY,
            actor="coord",
            candidate_id=candidate_id,
            expected_version=None,
            dates={"screening": TODAY, "baseline": BASELINE},
            parameters={"target_knee": "right"},
            reason="screening visit booked",
            now=NOW,
        )
        consent.record_consent(
            session,
            actor="coord",
            candidate_id=candidate_id,
            form_version=FORM,
            consented_at=CONSENTED_AT,
            obtained_by="Dr. Lin Zhao",
            participant_signed_on=CONSENTED_AT.date(),
            now=NOW,
        )


def sign_all(
    store: Store, investigator_id: int, candidate_id: int, judged: dict[str, str] | None = None
) -> None:
    """The investigator signs each judgment criterion on the basis the checklist shows."""
    with store.transaction() as session:
        user = session.get(User, investigator_id)
        assert user is not None
        candidate = cands.candidate_or_404(session, candidate_id)
        bases = build_checklist(session, STUDY, candidate, TODAY).bases
        for criterion, decision in (judged or JUDGED).items():
            judgments.sign_judgment(
                session,
                user=user,
                password=PASSWORD,
                study=STUDY,
                candidate_id=candidate_id,
                criterion_id=criterion,
                decision=decision,
                reason="checked at the screening visit",
                basis=bases[criterion],
                today=TODAY,
                now=NOW,
            )


def eligible_candidates(store: Store, investigator_id: int, n: int, start: int = 1) -> list[int]:
    """``n`` candidates (copies of ex-01) that are eligible and consented: ready to enrol."""
    ids = import_candidates(store, ex01_copies(n, start), f"copies-{start}.json")
    for cid in ids:
        date_and_consent(store, cid)
        sign_all(store, investigator_id, cid)
    return ids


def verdict(store: Store, candidate_id: int) -> str:
    with store.read() as session:
        candidate = cands.candidate_or_404(session, candidate_id)
        return build_checklist(session, STUDY, candidate, TODAY).result.verdict.value
