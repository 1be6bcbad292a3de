"""The collected data as ODM 1.3.2 ClinicalData (CDISC ODM 1.3.2 specification, §3.2):
a SubjectData per participant (SubjectKey: the subject number), a StudyEventData per
visit that has forms (StudyEventRepeatKey: the occurrence, for the repeating unscheduled
visit), a FormData per form, an ItemGroupData per form (ItemGroupRepeatKey: the row, for
a log form's rows), an ItemData per stored value: what was typed, in the item's unit, and
each derived score the server computed. An empty value is not written (ODM has no data
point for it); the definitions say which items a form may carry.

Not carried (no ODM 1.3.2 place without an EDC's own extensions): visit dates and why a
visit was missed, a form's complete/incomplete status, the audit trail and signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import odmlib.odm_1_3_2.model as ODM

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.reports.cdisc.odm.entries import FormEntry, entry_order, form_entries, value_text
from trialdesk.reports.cdisc.odm.items import given
from trialdesk.reports.cdisc.odm.metadata import METADATA_VERSION_OID
from trialdesk.reports.cdisc.odm.oids import LOG_EVENT, event_oid, form_oid, group_oid, item_oid
from trialdesk.study.loader import Study
from trialdesk.study.schedule import VisitKind

__all__ = ["clinical_data"]


def clinical_data(study: Study, books: Sequence[dict[str, Any]]) -> ODM.ClinicalData:
    """ClinicalData of the participants whose casebooks (review/casebook.py) are given.

    Raises:
        FieldErrors: every form, visit or item in the casebooks that the study folder does
            not define, each naming the participant and the form.
    """
    problems: list[TrialdeskError] = []
    entries = list(form_entries(study, books, problems))
    if problems:
        raise FieldErrors(problems, resource=f"{study.id} casebooks as ODM ClinicalData")
    order = entry_order(study)
    visits = study.schedule.visits if study.schedule else ()
    repeating = {v.id for v in visits if v.kind is VisitKind.UNSCHEDULED}  # as metadata.py
    by_subject: dict[str, list[FormEntry]] = {}
    for e in entries:
        by_subject.setdefault(e.subject, []).append(e)
    subjects = []
    for book in books:  # every participant, even one with no forms yet
        subject = str(book.get("participant"))
        own = sorted(by_subject.get(subject, []), key=order)
        subjects.append(ODM.SubjectData(SubjectKey=subject,
                                        StudyEventData=_events(own, study, repeating)))  # fmt: skip
    return ODM.ClinicalData(
        StudyOID=study.id, MetaDataVersionOID=METADATA_VERSION_OID, SubjectData=subjects
    )


def _events(
    entries: list[FormEntry], study: Study, repeating: set[str]
) -> list[ODM.StudyEventData]:
    events: list[ODM.StudyEventData] = []
    forms: dict[str, ODM.FormData] = {}
    current: tuple[str, int] | None = None
    for e in entries:
        if (e.visit, e.occurrence) != current:
            current, forms = (e.visit, e.occurrence), {}
            events.append(ODM.StudyEventData(
                StudyEventOID=event_oid(e.visit or LOG_EVENT),
                **given(StudyEventRepeatKey=str(e.occurrence) if e.visit in repeating else None),
            ))  # fmt: skip
        form = forms.get(e.form)
        if form is None:
            form = forms[e.form] = ODM.FormData(FormOID=form_oid(e.form))
            events[-1].FormData.append(form)
        form.ItemGroupData.append(
            ODM.ItemGroupData(
                ItemGroupOID=group_oid(e.form),
                **given(ItemGroupRepeatKey=str(e.row) if study.forms[e.form].repeating else None),
                ItemData=[ODM.ItemData(ItemOID=item_oid(e.form, item), Value=value_text(v))
                          for item, v in e.values.items()],
            )
        )  # fmt: skip
    return events
