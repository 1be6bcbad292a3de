"""The adverse-event listings of the week-24 report: one line per ADAE record, each cell
carrying its participant and record. The SAE listing shows every serious event, before
the injection as well, with its TEAE flag; the AESI listing the treatment-emergent events
an AESI of the study's safety.yaml names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.cells import Cell, Row, Table, record_key
from trialdesk.reports.week24.population_tables import safety
from trialdesk.reports.week24.safety_tables import safety_population as _population
from trialdesk.reports.week24.safety_tables import teae_rows
from trialdesk.reports.week24.texts import T
from trialdesk.study.safety_file import Safety
from trialdesk.study.texts import Text

__all__ = ["LISTING_COLUMNS", "ae_listing", "aesi_listing", "sae_listing"]

AdamRow = Mapping[str, Value]


def _num(value: Value) -> float:
    return float(value) if isinstance(value, (int, float)) else float("inf")


LISTING_COLUMNS = (
    T("Participant", "受试者"),
    T("Preferred term", "首选术语"),
    T("System organ class", "系统器官分类"),
    T("Onset day", "发生日"),
    T("End day", "结束日"),
    T("Grade", "等级"),
    T("Serious", "严重"),
    T("Relationship", "相关性"),
    T("Outcome", "转归"),
)


TEAE_COLUMN = T("TEAE (TRTEMFL)", "TEAE（TRTEMFL）")


def ae_listing(
    table_id: str,
    title: Text,
    rows: Sequence[tuple[AdamRow, str]],
    adae: Dataset,
    n: int,
    *,
    teae: bool = False,
) -> Table:
    """One line per ADAE record (with a note each: the AESI it is, or ""), each cell
    carrying its participant and record; ``teae``: a last column with TRTEMFL."""
    out: list[Row] = []
    ordered = sorted(rows, key=lambda rn: (str(rn[0].get("USUBJID")), _num(rn[0].get("ASTDY"))))
    for r, note in ordered:
        subject, key = (str(r.get("USUBJID")),), (record_key(adae, r),)
        values = [
            r.get("AEDECOD"),
            r.get("AEBODSYS"),
            r.get("ASTDY"),
            r.get("AENDY"),
            r.get("ATOXGR") or r.get("AESEV"),
            r.get("AESER"),
            r.get("AEREL"),
            r.get("AEOUT"),
        ]
        if teae:
            values.append(r.get("TRTEMFL"))
        cells = tuple(Cell("" if v is None else str(v), v, subject, key) for v in values)
        label = str(r.get("SUBJID") or r.get("USUBJID"))
        out.append(Row(T(f"{label} {note}".strip(), f"{label} {note}".strip()), cells))
    columns = (*LISTING_COLUMNS, TEAE_COLUMN) if teae else LISTING_COLUMNS
    return Table(table_id, title, columns, tuple(out), _population(n))


def sae_listing(adae: Dataset, adsl: Dataset) -> Table:
    """Every serious adverse event (AESER = Y) of ADAE, before the injection as well as
    after it (ICH E3 §12.3.1.2 lists deaths and other serious AEs, not only the emergent
    ones), each with its TEAE flag; population: everyone enrolled (ITTFL = Y)."""
    chosen = [(r, "") for r in adae.rows if r.get("AESER") == "Y"]
    enrolled = sum(1 for r in adsl.rows if r.get("ITTFL") == "Y")
    table = ae_listing(
        "sae_listing",
        T("Serious adverse events (listing)", "严重不良事件（列表）"),
        chosen,
        adae,
        enrolled,
        teae=True,
    )
    note = T(
        "Every serious adverse event, before and after the injection; TEAE: treatment-"
        "emergent (ADAE.TRTEMFL = Y), the only ones the TEAE tables count.",
        "列出所有严重不良事件（注射前及注射后）；TEAE：治疗期间出现（ADAE.TRTEMFL = Y），"
        "TEAE表格仅计入此类事件。",
    )
    population = T(f"Enrolled (ITT set, N = {enrolled})", f"入组者（ITT集，N = {enrolled}）")
    return Table(table.id, table.title, table.columns, table.rows, population, (note,))


def aesi_listing(adae: Dataset, adsl: Dataset, plan: Safety) -> Table:
    """TEAEs whose term or SOC an AESI of the study's safety.yaml names; an AESI the
    term alone does not decide (``confirm``) is marked for staff to confirm."""
    chosen: list[tuple[AdamRow, str]] = []
    for r in teae_rows(adae, adsl):
        for aesi in plan.special_interest:
            if r.get("AEDECOD") in aesi.terms or r.get("AEBODSYS") in aesi.socs:
                chosen.append((r, f"[{aesi.id}{'?' if aesi.confirm else ''}]"))
    table = ae_listing(
        "aesi_listing",
        T("Adverse events of special interest (listing)", "特别关注的不良事件（列表）"),
        chosen,
        adae,
        len(safety(adsl)),
    )
    names = "; ".join(f"{a.id}: {a.name.en}" for a in plan.special_interest)
    names_zh = "；".join(f"{a.id}：{a.name.get('zh-CN')}" for a in plan.special_interest)
    note = T(
        f"AESIs of safety.yaml ({names or 'none'}); '?': the term alone does not decide, "
        "staff confirm it.",
        f"safety.yaml中的AESI（{names_zh or '无'}）；“?”：仅凭术语不能判定，需由研究人员确认。",
    )
    return Table(table.id, table.title, table.columns, table.rows, table.population, (note,))
