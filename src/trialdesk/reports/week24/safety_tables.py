"""The safety tables from ADAE and ADLB: the treatment-emergent AE overview with exact
intervals, AEs by system organ class and term, by worst grade and by relationship, the
SAE and AESI listings, and the laboratory shifts by CTCAE grade.

A TEAE is an ADAE record with TRTEMFL = "Y" (adam/occds.py treatment_emergent: onset on
or after the injection, ICH E9 glossary) of a safety-set participant; percentages are of
the safety set (ICH E3 §12.2: participants with at least one event, and events)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from trialdesk.reports.cdisc.adam.occds import grade_number, relationship_group
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.cells import (
    Cell,
    Row,
    Table,
    ci_cell,
    count_cell,
    events_cell,
    record_key,
)
from trialdesk.reports.week24.population_tables import safety
from trialdesk.reports.week24.stats import proportion
from trialdesk.reports.week24.texts import T, W
from trialdesk.study.safety_file import Safety
from trialdesk.study.texts import Text

__all__ = [
    "ae_listing",
    "by_grade_table",
    "by_relationship_table",
    "by_term_table",
    "lab_shift_table",
    "overview_table",
    "teae_rows",
]

AdamRow = Mapping[str, Value]
GRADES = (1, 2, 3, 4, 5)  # CTCAE v5.0 grades
# PROTOCOL ASSUMPTION (ICH E3 §12.2.2 asks for AEs leading to discontinuation; a single
# injection cannot be withdrawn): an AE "leads to withdrawal" when the participant's
# end-of-study reason is ADVERSE EVENT (ADSL.DCSREAS, CDISC CT NCOMPLT C66727) or the
# action taken is DRUG WITHDRAWN (AEACN, CDISC CT ACN C66767).
WITHDRAWAL_NOTE = T(
    "Leading to withdrawal: ADSL.DCSREAS = ADVERSE EVENT or AEACN = DRUG WITHDRAWN "
    "(protocol assumption).",
    "导致退出：ADSL.DCSREAS = ADVERSE EVENT 或 AEACN = DRUG WITHDRAWN（方案假设）。",
)


def teae_rows(adae: Dataset, adsl: Dataset) -> list[AdamRow]:
    """Treatment-emergent records of safety-set participants."""
    people = {r.get("USUBJID") for r in safety(adsl)}
    return [r for r in adae.rows if r.get("TRTEMFL") == "Y" and r.get("USUBJID") in people]


def _grade(row: AdamRow) -> int | None:
    return grade_number(row.get("ATOXGR") or row.get("AESEV"))


def _population(n: int) -> Text:
    return T(f"Safety set (N = {n})", f"安全性分析集（N = {n}）")


def overview_table(adae: Dataset, adsl: Dataset) -> Table:
    """Participants with at least one TEAE of each kind: n (%), exact 95% CI, events."""
    n = len(safety(adsl))
    teaes = teae_rows(adae, adsl)
    withdrawn = {r.get("USUBJID") for r in adsl.rows if r.get("DCSREAS") == "ADVERSE EVENT"}
    kinds: list[tuple[Text, Callable[[AdamRow], bool]]] = [
        (T("Any TEAE", "任何TEAE"), lambda r: True),
        (
            T("Related to the product (RELGR1)", "与研究产品相关（RELGR1）"),
            lambda r: r.get("RELGR1") == "RELATED",
        ),
    ]
    notes = [WITHDRAWAL_NOTE]
    if "AERLPRT" in adae.names:  # the relationship to the procedure, where ADAE carries it
        kinds.append(
            (
                T("Related to the injection procedure (AERLPRT)", "与注射操作相关（AERLPRT）"),
                lambda r: relationship_group(r.get("AERLPRT")) == "RELATED",
            )
        )
    else:
        notes.append(
            T(
                "Relationship to the procedure: not in ADAE, not shown.",
                "与操作的相关性：ADAE中无此变量，未列出。",
            )
        )
    kinds += [
        (T("Serious (AESER = Y)", "严重（AESER = Y）"), lambda r: r.get("AESER") == "Y"),
        (T("CTCAE grade 3 or higher", "CTCAE 3级及以上"), lambda r: (_grade(r) or 0) >= 3),
        (
            T("Leading to withdrawal", "导致退出"),
            lambda r: r.get("USUBJID") in withdrawn or r.get("AEACN") == "DRUG WITHDRAWN",
        ),
        (
            T("Fatal (AEOUT = FATAL or grade 5)", "致死（AEOUT = FATAL 或 5级）"),
            lambda r: r.get("AEOUT") == "FATAL" or _grade(r) == 5,
        ),
    ]
    rows = []
    for label, holds in kinds:
        chosen = [r for r in teaes if holds(r)]
        count = count_cell(chosen, adae, n)
        ci = ci_cell(proportion(len(count.subjects), n), count)
        rows.append(Row(label, (count, ci, events_cell(chosen, adae))))
    return Table(
        "teae_overview",
        T("Treatment-emergent adverse events: overview", "治疗期间出现的不良事件：概览"),
        (W.category, W.n_pct, W.ci_exact, W.events),
        tuple(rows),
        _population(n),
        tuple(notes),
    )


def _groups(rows: Sequence[AdamRow], key: Callable[[AdamRow], str]) -> dict[str, list[AdamRow]]:
    out: dict[str, list[AdamRow]] = {}
    for r in rows:
        out.setdefault(key(r), []).append(r)
    return out


def _by_frequency(groups: Mapping[str, Sequence[AdamRow]]) -> list[str]:
    """Most participants first, then alphabetical (the usual order of AE tables)."""
    return sorted(groups, key=lambda k: (-len({r.get("USUBJID") for r in groups[k]}), k))


def by_term_table(adae: Dataset, adsl: Dataset) -> Table:
    """TEAEs by system organ class (AEBODSYS) and preferred term (AEDECOD)."""
    n = len(safety(adsl))
    socs = _groups(teae_rows(adae, adsl), lambda r: str(r.get("AEBODSYS") or ""))
    rows: list[Row] = []
    for soc in _by_frequency(socs):
        rows.append(
            Row(
                T(soc or "(uncoded)", soc or "（未编码）"),
                (count_cell(socs[soc], adae, n), events_cell(socs[soc], adae)),
            )
        )
        terms = _groups(socs[soc], lambda r: str(r.get("AEDECOD") or ""))
        for term in _by_frequency(terms):
            rows.append(
                Row(
                    T(term, term),
                    (count_cell(terms[term], adae, n), events_cell(terms[term], adae)),
                    level=1,
                )
            )
    return Table(
        "teae_by_term",
        T("TEAEs by system organ class and preferred term", "按系统器官分类和首选术语列出的TEAE"),
        (W.term, W.n_pct, W.events),
        tuple(rows),
        _population(n),
    )


def by_grade_table(adae: Dataset, adsl: Dataset) -> Table:
    """Participants by their worst grade: overall (ADAE AOCCIFL, the first record of the
    worst grade per participant) and per term (AOCPIFL)."""
    n = len(safety(adsl))
    teaes = teae_rows(adae, adsl)

    def row(label: Text, worst: Sequence[AdamRow], level: int) -> Row:
        return Row(
            label,
            tuple(count_cell([r for r in worst if _grade(r) == g], adae, n) for g in GRADES),
            level,
        )

    rows = [row(T("Any TEAE", "任何TEAE"), [r for r in teaes if r.get("AOCCIFL") == "Y"], 0)]
    terms = _groups([r for r in teaes if r.get("AOCPIFL") == "Y"], lambda r: str(r.get("AEDECOD")))
    rows += [row(T(t, t), terms[t], 1) for t in _by_frequency(terms)]
    columns = (W.term, *(T(f"Grade {g}", f"{g}级") for g in GRADES))
    return Table(
        "teae_by_grade",
        T("TEAEs by worst CTCAE grade", "按最严重CTCAE等级列出的TEAE"),
        columns,
        tuple(rows),
        _population(n),
        (
            T(
                "Grades: ATOXGR (CTCAE v5.0); AESEV where no grade was collected.",
                "等级：ATOXGR（CTCAE v5.0）；未收集等级时用AESEV。",
            ),
        ),
    )


def _relationship_rows(
    teaes: Sequence[AdamRow], adae: Dataset, n: int, variable: str, heading: Text
) -> list[Row]:
    rows = [Row(heading, (Cell(""), Cell("")))]
    groups = _groups(teaes, lambda r: relationship_group(r.get(variable)))
    for group in ("RELATED", "NOT RELATED"):
        chosen = groups.get(group, [])
        label = T("Related", "相关") if group == "RELATED" else T("Not related", "不相关")
        rows.append(Row(label, (count_cell(chosen, adae, n), events_cell(chosen, adae)), 1))
        terms = _groups(chosen, lambda r: str(r.get(variable) or ""))
        for term in sorted(terms):
            shown = T(f"  {term or '(not assessed)'}", f"  {term or '（未评估）'}")
            rows.append(
                Row(shown, (count_cell(terms[term], adae, n), events_cell(terms[term], adae)), 2)
            )
    return rows


def by_relationship_table(adae: Dataset, adsl: Dataset) -> Table:
    """TEAEs by the investigator's relationship to the product (AEREL, grouped in RELGR1:
    adam/occds.py RELATED, a protocol assumption) and to the procedure where ADAE has it."""
    n = len(safety(adsl))
    teaes = teae_rows(adae, adsl)
    rows = _relationship_rows(
        teaes, adae, n, "AEREL", T("To the product (AEREL)", "与研究产品（AEREL）")
    )
    if "AERLPRT" in adae.names:
        rows += _relationship_rows(
            teaes,
            adae,
            n,
            "AERLPRT",
            T("To the injection procedure (AERLPRT)", "与注射操作（AERLPRT）"),
        )
    return Table(
        "teae_by_relationship",
        T("TEAEs by relationship", "按相关性列出的TEAE"),
        (W.category, W.n_pct, W.events),
        tuple(rows),
        _population(n),
    )


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


def ae_listing(
    table_id: str, title: Text, rows: Sequence[tuple[AdamRow, str]], adae: Dataset, n: int
) -> Table:
    """One line per ADAE record (with a note each: the AESI it is, or ""), each cell
    carrying its participant and record."""
    out: list[Row] = []
    ordered = sorted(rows, key=lambda rn: (str(rn[0].get("USUBJID")), _num(rn[0].get("ASTDY"))))
    for r, note in ordered:
        subject, key = (str(r.get("USUBJID")),), (record_key(adae, r),)
        values = (
            r.get("AEDECOD"),
            r.get("AEBODSYS"),
            r.get("ASTDY"),
            r.get("AENDY"),
            r.get("ATOXGR") or r.get("AESEV"),
            r.get("AESER"),
            r.get("AEREL"),
            r.get("AEOUT"),
        )
        cells = tuple(Cell("" if v is None else str(v), v, subject, key) for v in values)
        label = str(r.get("SUBJID") or r.get("USUBJID"))
        out.append(Row(T(f"{label} {note}".strip(), f"{label} {note}".strip()), cells))
    return Table(table_id, title, LISTING_COLUMNS, tuple(out), _population(n))


def _num(value: Value) -> float:
    return float(value) if isinstance(value, (int, float)) else float("inf")


def sae_listing(adae: Dataset, adsl: Dataset) -> Table:
    chosen = [(r, "") for r in teae_rows(adae, adsl) if r.get("AESER") == "Y"]
    return ae_listing(
        "sae_listing",
        T("Serious adverse events (listing)", "严重不良事件（列表）"),
        chosen,
        adae,
        len(safety(adsl)),
    )


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


def lab_shift_table(adlb: Dataset, adsl: Dataset) -> Table:
    """Baseline CTCAE grade (BTOXGR) to the worst post-baseline grade (the ANL02FL record,
    adam/adlb.py), per laboratory parameter with any grade; n of the safety set."""
    people = {r.get("USUBJID") for r in safety(adsl)}
    flagged = [r for r in adlb.rows if r.get("ANL02FL") == "Y" and r.get("USUBJID") in people]
    params = _groups(flagged, lambda r: str(r.get("PARAMCD")))
    worst_grades = (0, 1, 2, 3, 4)
    rows: list[Row] = []
    for code in sorted(params, key=lambda c: (_num(params[c][0].get("PARAMN")), c)):
        graded = [r for r in params[code] if str(r.get("ATOXGR") or "") != ""]
        if not graded:
            continue
        name = str(graded[0].get("PARAM") or code)
        n = len({r.get("USUBJID") for r in graded})
        rows.append(Row(T(name, name), tuple(Cell("") for _ in worst_grades)))
        base = _groups(graded, lambda r: str(r.get("BTOXGR") or ""))
        for b in sorted(base):
            label = T(
                f"Baseline grade {b or 'missing'}", f"基线{b or '缺失'}级" if b else "基线缺失"
            )
            rows.append(
                Row(
                    label,
                    tuple(
                        count_cell([r for r in base[b] if r.get("ATOXGR") == str(g)], adlb, n)
                        for g in worst_grades
                    ),
                    1,
                )
            )
    columns = (W.parameter, *(T(f"Worst grade {g}", f"最差{g}级") for g in worst_grades))
    return Table(
        "lab_shifts",
        T(
            "Laboratory shifts: baseline to worst post-baseline CTCAE grade",
            "实验室检查：基线至基线后最差CTCAE等级的变化",
        ),
        columns,
        tuple(rows),
        T(
            f"Safety set (N = {len(people)}); % of participants graded for the parameter",
            f"安全性分析集（N = {len(people)}）；百分比以该参数有等级者为分母",
        ),
    )


__all__ += ["aesi_listing", "sae_listing"]
