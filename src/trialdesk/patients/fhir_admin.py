"""FHIR R4 administrative resources -> Facts: Consent and ResearchSubject."""

from __future__ import annotations

from trialdesk.facts.record import Coding, Fact, FactKind
from trialdesk.patients.fhir_read import Index
from trialdesk.patients.fhir_shared import Json, status_of
from trialdesk.patients.fhir_types import (
    codings,
    codings_of,
    date_of,
    period_of,
    reference_of,
    text_of,
)

__all__ = ["consent_facts", "research_subject_facts"]


def consent_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    scope = res.get("scope")
    category = res.get("category")
    start = date_of(res.get("dateTime"), "dateTime", problems)
    provision = res.get("provision")
    end = None
    decision = None
    if isinstance(provision, dict):
        p_start, end = period_of(provision.get("period"), "provision.period", problems)
        start = start or p_start
        decision = provision.get("type") if isinstance(provision.get("type"), str) else None
    return [
        Fact(
            kind=FactKind.CONSENT,
            resource=key,
            codes=codings(scope) + codings_of(category),
            text=text_of(category) or text_of(scope),
            start=start,
            end=end,
            status=status,
            value_text=decision,  # provision.type: permit / deny
            problems=tuple(problems),
        )
    ]


def research_subject_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    start, end = period_of(res.get("period"), "period", problems)
    study = res.get("study")
    ref = reference_of(study)
    text = study.get("display") if isinstance(study, dict) else None
    codes: tuple[Coding, ...] = ()
    target = index.resolve(ref) if ref else None
    found = index.get(target) if target and target.startswith("ResearchStudy/") else None
    if found is not None:
        title = found.get("title")
        text = title if isinstance(title, str) else text
        ids = found.get("identifier")
        for ident in ids if isinstance(ids, list) else ():
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                system = ident.get("system")
                codes += (Coding(system if isinstance(system, str) else "", ident["value"]),)
    return [
        Fact(
            kind=FactKind.STUDY,
            resource=key,
            codes=codes,
            text=text if isinstance(text, str) else ref,
            start=start,
            end=end,
            status=status,
            value_text=target or ref,  # the ResearchStudy
            problems=tuple(problems),
        )
    ]
