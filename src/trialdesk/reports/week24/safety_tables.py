"""The safety tables from ADAE and ADLB: the treatment-emergent AE overview with exact
intervals, AEs by system organ class and term, by worst grade and by relationship, the
SAE and AESI listings, and the laboratory shifts by CTCAE grade.

A TEAE is an ADAE record with TRTEMFL = "Y" (adam/occds.py treatment_emergent: onset on
or after the injection, ICH E9 glossary) of a safety-set participant; percentages are of
the safety set (ICH E3 §12.2: participants with at least one event, and events). The
SAE and AESI listings are in listings.py."""

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
)
from trialdesk.reports.week24.population_tables import safety
from trialdesk.reports.week24.stats import proportion
from trialdesk.reports.week24.texts import T, W
from trialdesk.study.texts import Text

__all__ = [
    "by_grade_table",
    "by_relationship_table",
    "by_term_table",
    "lab_shift_table",
    "overview_table",
    "safety_population",
    "led_to_withdrawal",
    "teae_rows",
]

AdamRow = Mapping[str, Value]
GRADES = (1, 2, 3, 4, 5)  # CTCAE v5.0 grades
# PROTOCOL ASSUMPTION (ICH E3 §12.2.2 asks for AEs leading to discontinuation; a single
# injection cannot be withdrawn, and the store links no event to the end of
# participation): an AE "leads to withdrawal" when the action taken is DRUG WITHDRAWN
# (AEACN, CDISC CT ACN C66767), or the participant left the study for an adverse event
# (ADSL.DCSREAS = ADVERSE EVENT, CDISC CT NCOMPLT C66727) while the event was going on:
# begun by the end-of-study date (EOSDT) and not ended before it (AENDT missing, its
# outcome not resolved, or on or after EOSDT). Not every event of such a participant:
# one that had resolved before they left did not lead them to leave.
WITHDRAWAL_NOTE = T(
    "Leading to withdrawal: AEACN = DRUG WITHDRAWN, or the participant left for an adverse "
    "event (ADSL.DCSREAS = ADVERSE EVENT) while the event was ongoing (ASTDT on or before "
    "EOSDT, AENDT missing or on or after EOSDT) (protocol assumption).",
    "导致退出：AEACN = DRUG WITHDRAWN，或受试者因不良事件退出（ADSL.DCSREAS = ADVERSE "
    "EVENT）且退出时该事件仍在持续（ASTDT不晚于EOSDT，AENDT缺失或不早于EOSDT）（方案假设）。",
)


def led_to_withdrawal(adsl: Dataset) -> Callable[[AdamRow], bool]:
    """Whether an ADAE record led to withdrawal (``WITHDRAWAL_NOTE``'s assumption)."""
    left = {r.get("USUBJID"): _num(r.get("EOSDT")) for r in adsl.rows
            if r.get("DCSREAS") == "ADVERSE EVENT"}  # fmt: skip

    def holds(r: AdamRow) -> bool:
        if r.get("AEACN") == "DRUG WITHDRAWN":
            return True
        subject = r.get("USUBJID")
        if subject not in left:
            return False
        eos, start, end = left[subject], _num(r.get("ASTDT")), _num(r.get("AENDT"))
        if eos == float("inf"):  # no end-of-study date: the events not ended
            return end == float("inf")
        # an unknown start (inf) may be any day: counted unless the event had ended
        begun = start == float("inf") or start <= eos
        return begun and (end == float("inf") or end >= eos)

    return holds


def teae_rows(adae: Dataset, adsl: Dataset) -> list[AdamRow]:
    """Treatment-emergent records of safety-set participants."""
    people = {r.get("USUBJID") for r in safety(adsl)}
    return [r for r in adae.rows if r.get("TRTEMFL") == "Y" and r.get("USUBJID") in people]


def _grade(row: AdamRow) -> int | None:
    return grade_number(row.get("ATOXGR") or row.get("AESEV"))


def safety_population(n: int) -> Text:
    return T(f"Safety set (N = {n})", f"安全性分析集（N = {n}）")


def overview_table(adae: Dataset, adsl: Dataset) -> Table:
    """Participants with at least one TEAE of each kind: n (%), exact 95% CI, events."""
    n = len(safety(adsl))
    teaes = teae_rows(adae, adsl)
    withdrawal = led_to_withdrawal(adsl)
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
            withdrawal,
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
        safety_population(n),
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
        safety_population(n),
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
        safety_population(n),
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
        safety_population(n),
    )


def _num(value: Value) -> float:
    return float(value) if isinstance(value, (int, float)) else float("inf")


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
