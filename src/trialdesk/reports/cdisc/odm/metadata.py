"""A study's schedule and forms (study/schedule.py, study/forms.py) as an ODM 1.3.2 Study:
what a site's EDC (REDCap, OpenClinica) reads to build the same visits and forms.

CDISC ODM 1.3.2 specification, §3.1 "Study": GlobalVariables (the study's id and title),
BasicDefinitions (every UCUM unit an item is in), one MetaDataVersion holding
- Protocol: a StudyEventRef per visit in schedule order (Mandatory for scheduled visits);
- StudyEventDef per visit: Type Scheduled, or Unscheduled for early termination and the
  unscheduled visit, which alone repeats (the store numbers its occurrences, UNS#2, ...);
  Category the CDISC EPOCH; Alias "SDTM.VISITNUM" and "SDTM.EPOCH"; the window in the
  Description; the log forms (concomitant medications: rows per participant, not per
  visit) under one more event, SE.LOG, of Type Common;
- FormDef per form, each with one ItemGroupDef (Repeating Yes for a log form: its rows are
  the ItemGroupData repeats), the ItemDefs, CodeLists and MethodDefs of items.py.
Protocol assumptions (the schedule's, each visit's) are said in the Descriptions, as on
every page that shows them. Everything wrong is reported at once (FieldErrors).
"""

from __future__ import annotations

import odmlib.odm_1_3_2.model as ODM

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.odm.items import codelist, given, item_def, method_def, translated
from trialdesk.reports.cdisc.odm.oids import (
    LOG_EVENT,
    event_oid,
    form_oid,
    group_oid,
    item_oid,
    method_oid,
    unit_oid,
)
from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Schedule, Visit, VisitKind
from trialdesk.study.texts import Text

__all__ = ["METADATA_VERSION_OID", "log_forms", "study_metadata"]

METADATA_VERSION_OID = "MDV.1"
_EVENT_TYPE = {
    VisitKind.SCHEDULED: "Scheduled",
    VisitKind.EARLY_TERMINATION: "Unscheduled",
    VisitKind.UNSCHEDULED: "Unscheduled",
}


def log_forms(study: Study) -> list[Form]:
    """The log forms no visit lists: they go under the SE.LOG event."""
    listed = {f for v in (study.schedule.visits if study.schedule else ()) for f in v.forms}
    return [f for f in study.forms.values() if f.repeating and f.id not in listed]


def study_metadata(study: Study) -> ODM.Study:
    """The ODM Study of ``study``'s schedule and forms.

    Raises:
        FieldErrors: every problem found (no schedule, a visit naming an unknown form, an
            unknown calculator, two units spelled to one OID), each naming where.
    """
    problems: list[TrialdeskError] = []
    schedule = study.schedule
    if schedule is None:
        raise InputError(f"{study.id} has no visit schedule (schedule.yaml): no ODM events",
                         file="schedule.yaml")  # fmt: skip
    for visit in schedule.visits:
        for form_id in visit.forms:
            if form_id not in study.forms:
                problems.append(InputError(f"visit {visit.id} names unknown form {form_id!r}",
                                           field=f"visits.{visit.id}.forms"))  # fmt: skip
    units = _units(study, problems)
    items, codelists, methods, groups, forms = [], [], [], [], []
    for form in study.forms.values():
        forms.append(_form_def(form))
        groups.append(_group_def(form))
        for item in form.items:
            items.append(item_def(form, item, problems))
            if item.choices:
                codelists.append(codelist(form, item))
            method = method_def(form, item)
            if method is not None:
                methods.append(method)
    if problems:
        raise FieldErrors(problems, resource=f"{study.id} forms as ODM 1.3.2")
    events = [_event_def(v, study) for v in schedule.visits]
    logs = log_forms(study)
    if logs:
        events.append(_log_event(logs))
    version = ODM.MetaDataVersion(
        OID=METADATA_VERSION_OID,
        Name=f"{study.id} case report forms",
        Description=f"The visit schedule and case report forms of {study.id} as its "
        "trialdesk study folder declares them",
        Protocol=_protocol(schedule, events),
        StudyEventDef=events,
        FormDef=forms,
        ItemGroupDef=groups,
        ItemDef=items,
        CodeList=codelists,
        MethodDef=methods,
    )
    return ODM.Study(
        OID=study.id,
        GlobalVariables=ODM.GlobalVariables(
            StudyName=ODM.StudyName(_content=study.id),
            StudyDescription=ODM.StudyDescription(_content=study.title),
            ProtocolName=ODM.ProtocolName(_content=study.id),
        ),
        MetaDataVersion=[version],
        **given(BasicDefinitions=ODM.BasicDefinitions(MeasurementUnit=units) if units else None),
    )


def _units(study: Study, problems: list[TrialdeskError]) -> list[ODM.MeasurementUnit]:
    """One MeasurementUnit per UCUM unit the items are in (the unit as the store keeps the
    value: study/forms.py Item.unit)."""
    spelled: dict[str, str] = {}
    for form in study.forms.values():
        for item in form.items:
            if item.unit is None:
                continue
            oid = unit_oid(item.unit)
            if spelled.setdefault(oid, item.unit) != item.unit:
                problems.append(InputError(
                    f"units {spelled[oid]!r} and {item.unit!r} both spell OID {oid}",
                    field=f"{form.id}.{item.id}.unit"))  # fmt: skip
    return [
        ODM.MeasurementUnit(
            OID=oid, Name=ucum,
            Symbol=ODM.Symbol(TranslatedText=[ODM.TranslatedText(_content=ucum, lang="en")]),
            Alias=[ODM.Alias(Context="UCUM", Name=ucum)],
        )
        for oid, ucum in sorted(spelled.items())
    ]  # fmt: skip


def _assumed(text: Text, assumption: bool, source: str | None) -> Text:
    if not assumption:
        return text
    why = f" ({source})" if source else ""
    return Text(f"{text.en}. PROTOCOL ASSUMPTION, for the site to confirm{why}.",
                f"{text.zh_cn or text.en}。方案假设，待研究中心确认{why}。")  # fmt: skip


def _protocol(schedule: Schedule, events: list[ODM.StudyEventDef]) -> ODM.Protocol:
    mandatory = {event_oid(v.id): v.scheduled for v in schedule.visits}
    return ODM.Protocol(
        Description=ODM.Description(TranslatedText=translated(_assumed(
            Text("The visit schedule; study day 1 is the day of the "
                 f"{schedule.day1} anchor, and there is no day 0",
                 f"访视计划；研究第1天为{schedule.day1}日期，无第0天"),
            schedule.assumption, schedule.source))),
        StudyEventRef=[
            ODM.StudyEventRef(StudyEventOID=e.OID, OrderNumber=n,
                              Mandatory="Yes" if mandatory.get(str(e.OID)) else "No")
            for n, e in enumerate(events, start=1)
        ],
    )  # fmt: skip


def _timing(visit: Visit) -> Text:
    if visit.first_day is None or visit.last_day is None:
        return Text(visit.name.en, visit.name.zh_cn)
    if visit.first_day == visit.last_day:
        zh = visit.name.zh_cn or visit.name.en
        return Text(f"{visit.name.en}: study day {visit.first_day}, no window",
                    f"{zh}：研究第{visit.first_day}天，无窗口期")  # fmt: skip
    target = f"study day {visit.day}, " if visit.day is not None else ""
    target_zh = f"研究第{visit.day}天，" if visit.day is not None else ""
    return Text(
        f"{visit.name.en}: {target}window study days {visit.first_day} to {visit.last_day}",
        f"{visit.name.zh_cn or visit.name.en}：{target_zh}"
        f"窗口期为研究第{visit.first_day}至{visit.last_day}天",
    )


def _event_def(visit: Visit, study: Study) -> ODM.StudyEventDef:
    return ODM.StudyEventDef(
        OID=event_oid(visit.id),
        Name=visit.name.en,
        Repeating="Yes" if visit.kind is VisitKind.UNSCHEDULED else "No",
        Type=_EVENT_TYPE[visit.kind],
        Category=visit.epoch,
        Description=ODM.Description(
            TranslatedText=translated(_assumed(_timing(visit), visit.assumption, visit.source))
        ),
        FormRef=[
            ODM.FormRef(FormOID=form_oid(f), OrderNumber=n,
                        Mandatory="Yes" if visit.scheduled and not study.forms[f].computed
                        else "No")
            for n, f in enumerate(visit.forms, start=1)
            if f in study.forms
        ],
        Alias=[ODM.Alias(Context="SDTM.VISITNUM", Name=format(visit.visitnum, "g")),
               ODM.Alias(Context="SDTM.EPOCH", Name=visit.epoch)],
    )  # fmt: skip


def _log_event(forms: list[Form]) -> ODM.StudyEventDef:
    return ODM.StudyEventDef(
        OID=event_oid(LOG_EVENT),
        Name="Log forms",
        Repeating="No",
        Type="Common",
        Description=ODM.Description(TranslatedText=translated(Text(
            "Forms kept per participant rather than per visit, one row per entry",
            "按受试者而非按访视记录的表单，每条记录一行"))),
        FormRef=[ODM.FormRef(FormOID=form_oid(f.id), OrderNumber=n, Mandatory="No")
                 for n, f in enumerate(forms, start=1)],
    )  # fmt: skip


def _form_def(form: Form) -> ODM.FormDef:
    return ODM.FormDef(
        OID=form_oid(form.id),
        Name=form.title.en,
        Repeating="No",
        Description=ODM.Description(TranslatedText=translated(form.title)),
        ItemGroupRef=[ODM.ItemGroupRef(ItemGroupOID=group_oid(form.id), OrderNumber=1,
                                       Mandatory="Yes")],
    )  # fmt: skip


def _group_def(form: Form) -> ODM.ItemGroupDef:
    domains = {i.sdtm.domain for i in form.items if i.sdtm is not None}
    return ODM.ItemGroupDef(
        OID=group_oid(form.id),
        Name=form.id,
        Repeating="Yes" if form.repeating else "No",
        **given(Domain=domains.pop() if len(domains) == 1 else None),
        Description=ODM.Description(TranslatedText=translated(form.title)),
        ItemRef=[
            ODM.ItemRef(
                ItemOID=item_oid(form.id, i.id), OrderNumber=n,
                Mandatory="Yes" if i.required and i.derived is None else "No",
                **given(MethodOID=method_oid(form.id, i.id) if i.derived is not None else None),
            )
            for n, i in enumerate(form.items, start=1)
        ],
    )  # fmt: skip
