"""One SAE report as the CIOMS I form: each box filled from the event, the report, the
participant's forms and the study's registry record, never typed twice.

Privacy: box 1 (patient initials) shows the subject number instead, and box 2 (date of
birth) is withheld; the age at onset (box 2a) is given, as ICH E2B(R3) D.2.2 allows an
age in place of a birth date. Instants are shown in the site's time (study/windows.py).
"""

from __future__ import annotations

from datetime import date, datetime

from trialdesk.reports.cioms.form import Box, CiomsForm, Note, Section, Tick
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_time
from trialdesk.trial.safety.clock import SaeClock
from trialdesk.trial.safety.partial_dates import PartialDate
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.safety.sae_reports import SaeView
from trialdesk.trial.safety.terms import Seriousness

__all__ = ["cioms_form", "control_number", "report_label"]

NONE = "—"


def control_number(study: Study, view: SaeView) -> str:
    """Box 24b: the case's number, the same on the initial report and every follow-up."""
    return f"{study.id}-{view.participant.subject_number}-AE{view.event.sequence}"


def report_label(report: SaeReport) -> tuple[str, str]:
    if report.initial:
        return "initial report", "首次报告"
    return f"follow-up report {report.number}", f"第{report.number}次随访报告"


def _at_site(study: Study, moment: datetime | None) -> str:
    if moment is None:
        return NONE
    local = site_time(study.schedule, moment)
    return f"{local.strftime('%Y-%m-%d %H:%M')} {local.tzname()}"


def _age_at(birth: date | None, onset: PartialDate) -> str:
    """Whole years at the onset's earliest possible day (a partial onset: at least)."""
    if birth is None:
        return NONE
    day = onset.earliest
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return str(years) if onset.complete else f"≥{years}"


def _country(study: Study) -> str:
    module = study.record.protocolSection.contactsLocationsModule
    countries = (
        {loc.country for loc in (module.locations or ()) if loc.country} if module else set()
    )
    return ", ".join(sorted(countries)) or NONE


def _product(study: Study) -> str:
    module = study.record.protocolSection.armsInterventionsModule
    found = [
        f"{i.name} ({i.type.lower()})" if i.type else str(i.name)
        for i in (module.interventions or ()) if module and i.name
    ] if module else []  # fmt: skip
    return "; ".join(found) or NONE


def _indication(study: Study) -> str:
    module = study.record.protocolSection.conditionsModule
    return "; ".join(module.conditions or ()) if module else NONE


def _sponsor(study: Study) -> str:
    module = study.record.protocolSection.sponsorCollaboratorsModule
    lead = module.leadSponsor if module else None
    return lead.name if lead and lead.name else NONE


def _exposure(view: SaeView, variable: str) -> str:
    found = [
        f"{e.value} {e.unit}" if e.unit else e.value
        for e in view.exposure
        if e.variable == variable
    ]
    return "; ".join(found)


def _therapy_dates(view: SaeView) -> str:
    """EXSTDTC as the site recorded it (its wall clock): date and time, to the minute."""
    found = [e.value[:16].replace("T", " ") for e in view.exposure if e.variable == "EXSTDTC"]
    return "; ".join(found)


def _description(view: SaeView, report: SaeReport) -> str:
    event = view.event
    lines = [
        event.verbatim,
        f"CTCAE v5.0: {event.term} ({event.soc}), grade {event.grade}",
        f"Onset {event.onset_date}; end {event.end_date or 'ongoing'}; outcome {report.outcome}",
    ]
    values = view.causality.values
    if values is not None:
        state = "" if view.causality.current else " (lapsed: the event changed since)"
        expected = "expected" if values.expected else "unexpected"
        lines.append(
            f"Investigator's causality: product {values.product.value}, injection procedure "
            f"{values.procedure.value}; {expected}{state}"
        )
    else:
        lines.append("Investigator's causality: not assessed yet")
    if report.narrative:
        lines += ["", report.narrative]
    if report.tests:
        lines += ["", f"Relevant tests/lab data: {report.tests}"]
    return "\n".join(lines)


def _criteria(view: SaeView, report: SaeReport) -> tuple[str, tuple[Tick, ...]]:
    ticked = set(view.event.seriousness)
    ticks = (
        Tick("patient died", "患者死亡", Seriousness.DEATH in ticked),
        Tick("involved or prolonged inpatient hospitalisation", "导致住院或住院时间延长",
             Seriousness.HOSPITALISATION in ticked),
        Tick("involved persistent or significant disability or incapacity",
             "导致持续或显著的残疾或功能丧失", Seriousness.DISABILITY in ticked),
        Tick("life threatening", "危及生命", Seriousness.LIFE_THREATENING in ticked),
        # ICH E2A II.B's other two criteria: the 1990 form left them to the narrative, the
        # form's later edition ticks them here
        Tick("congenital anomaly", "先天性异常", Seriousness.CONGENITAL_ANOMALY in ticked),
        Tick("other medically important condition", "其他重要医学事件",
             Seriousness.MEDICALLY_IMPORTANT in ticked),
    )  # fmt: skip
    value = ""
    if view.event.hospitalisation:
        admitted = report.admitted_on.isoformat() if report.admitted_on else NONE
        discharged = report.discharged_on.isoformat() if report.discharged_on else "not yet"
        value = f"Admitted {admitted}, discharged {discharged}"
    return value, ticks


def _reporter(study: Study, report: SaeReport) -> str:
    lines = [report.reporter or NONE]
    signature = report.signature
    if signature is not None:
        lines.append(
            f"Submitted and signed by {signature.printed_name} ({signature.signer}), "
            f"{_at_site(study, signature.signed_at)}: {signature.meaning}"
        )
    return "\n".join(lines)


def _history(view: SaeView) -> str:
    event = view.event
    if event.baseline_grade is None:
        return NONE
    worsened = f", worsened on {event.worsened_on}" if event.worsened_on else ""
    return f"Present before day 1 at grade {event.baseline_grade}{worsened}"


def cioms_form(study: Study, view: SaeView, report: SaeReport, clock: SaeClock | None) -> CiomsForm:
    """The report as the CIOMS I form; ``clock``: the event's 24-hour clock, if it has one."""
    event, candidate = view.event, view.participant.candidate
    onset = PartialDate.parse(event.onset_date)
    single = study.safety.single_administration
    not_applicable = (
        Tick("yes", "是", False), Tick("no", "否", False), Tick("NA", "不适用", single)
    )  # fmt: skip
    hospital, criteria = _criteria(view, report)
    en, zh = report_label(report)
    day1 = view.day1.isoformat() if view.day1 else NONE
    site = ", ".join(
        x for x in (_exposure(view, "EXLAT"),
                    next((e.loc for e in view.exposure if e.loc), None)) if x
    )  # fmt: skip
    reaction = Section(
        "I. REACTION INFORMATION",
        "一、不良反应信息",
        (
            (
                Box("1", "PATIENT INITIALS (first, last): subject number shown (privacy)",
                    "患者姓名缩写：以受试者编号代替（隐私）", view.participant.subject_number, 2),
                Box("1a", "COUNTRY", "国家", _country(study), 2),
                Box("2", "DATE OF BIRTH", "出生日期", "withheld (privacy) 不提供（隐私）", 2),
                Box("2a", "AGE (years)", "年龄（岁）", _age_at(candidate.birth_date, onset), 1),
                Box("3", "SEX", "性别", candidate.sex or NONE, 1),
                Box("4-6", "REACTION ONSET", "不良反应发生日期", event.onset_date, 4),
            ),
            (
                Box("7+13", "DESCRIBE REACTION(S) (including relevant tests/lab data)",
                    "不良反应描述（包括相关检查/实验室数据）", _description(view, report), 8),
                Box("8-12", "CHECK ALL APPROPRIATE TO ADVERSE REACTION",
                    "请勾选所有适用于该不良反应的项目", hospital, 4, criteria),
            ),
        ),
    )  # fmt: skip
    drug = Section(
        "II. SUSPECT DRUG(S) INFORMATION",
        "二、可疑药物信息",
        (
            (
                Box("14", "SUSPECT DRUG(S) (include generic name)", "可疑药物（包括通用名）",
                    " ".join(x for x in (_product(study),
                                         f"lot {_exposure(view, 'EXLOT')}"
                                         if _exposure(view, "EXLOT") else "") if x), 8),
                Box("20", "DID REACTION ABATE AFTER STOPPING DRUG?", "停药后不良反应是否减轻？",
                    "", 4, not_applicable),
            ),
            (
                Box("15", "DAILY DOSE(S)", "日剂量", _exposure(view, "EXDOSE") or NONE, 4),
                Box("16", "ROUTE(S) OF ADMINISTRATION", "给药途径",
                    " ".join(x for x in (_exposure(view, "EXROUTE") or "",
                                         f"site: {site}" if site else "") if x) or NONE, 4),
                Box("21", "DID REACTION REAPPEAR AFTER REINTRODUCTION?",
                    "再次用药后不良反应是否再次出现？", "", 4, not_applicable),
            ),
            (
                Box("17", "INDICATION(S) FOR USE", "用药适应症", _indication(study)),
            ),
            (
                Box("18", "THERAPY DATES (from/to)", "治疗日期（起/止）",
                    _therapy_dates(view) or day1, 6),
                Box("19", "THERAPY DURATION", "治疗持续时间",
                    "single administration, day 1 单次给药（第1天）" if single else NONE, 6),
            ),
        ),
    )  # fmt: skip
    history = Section(
        "III. CONCOMITANT DRUG(S) AND HISTORY",
        "三、合并用药及病史",
        (
            (Box("22", "CONCOMITANT DRUG(S) AND DATES OF ADMINISTRATION (exclude those used "
                 "to treat reaction)", "合并用药及用药日期（不包括用于治疗该不良反应的药物）",
                 report.concomitant or NONE),),
            (Box("23", "OTHER RELEVANT HISTORY (e.g. diagnostics, allergies, pregnancy with "
                 "last month of period, etc.)", "其他相关病史（如诊断、过敏、妊娠及末次月经等）",
                 _history(view)),),
        ),
    )  # fmt: skip
    submitted = site_time(study.schedule, report.submitted_at).date().isoformat() \
        if report.submitted_at else "draft 草稿"  # fmt: skip
    maker = Section(
        "IV. MANUFACTURER INFORMATION",
        "四、生产企业信息",
        (
            (Box("24a", "NAME AND ADDRESS OF MANUFACTURER (the study's sponsor)",
                 "生产企业名称和地址（研究申办方）", _sponsor(study)),),
            (
                Box("24b", "MFR CONTROL NO.", "企业控制编号", control_number(study, view), 3),
                Box("24c", "DATE RECEIVED BY MANUFACTURER", "企业收到日期", submitted, 2),
                Box("24d", "REPORT SOURCE", "报告来源", "", 3,
                    (Tick("study", "研究", True), Tick("literature", "文献", False),
                     Tick("health professional", "医务人员", False))),
                Box("", "DATE OF THIS REPORT", "本报告日期", submitted, 2),
                Box("25a", "REPORT TYPE", "报告类型", "" if report.initial else en, 2,
                    (Tick("initial", "首次", report.initial),
                     Tick("followup", "随访", not report.initial))),
            ),
            (Box("26", "REPORTER'S DETAILS (printed name; the investigator's signature)",
                 "报告人信息（正楷姓名；研究者签名）", _reporter(study, report)),),
        ),
    )  # fmt: skip
    notes = [Note("Hospital admission / discharge", "入院/出院日期", hospital or NONE)]
    if clock is not None:
        notes.append(
            Note("Serious since (awareness) / initial report due",
                 "判定为严重（获知）/首次报告截止",
                 f"{_at_site(study, clock.start)} / {_at_site(study, clock.due)} "
                 f"({clock.state.value})"),
        )  # fmt: skip
    notes.append(
        Note("Protocol assumption", "方案假设",
             "initial report within 24 hours of awareness (ICH E6(R3) 2.7; EU 536/2014 "
             "Art. 41(2)) 获知后24小时内首次报告"),
    )  # fmt: skip
    return CiomsForm(
        study_id=study.id,
        control_number=control_number(study, view),
        report_en=en,
        report_zh=zh,
        draft=not report.submitted,
        sections=(reaction, drug, history, maker),
        notes=tuple(notes),
    )
