"""Who is in the report: analysis sets and disposition, demographics, baseline
characteristics and exposure, from ADSL (and ADEFF's baseline records).

Analysis sets are ADSL's flags (ITTFL, SAFFL, FASFL: their definitions, protocol
assumptions, are in reports/cdisc/adam/adsl.py). Demographics and exposure are summarised
over the safety set, baseline characteristics over the full analysis set (ICH E3 §11.2
and §12.1: demographic and baseline characteristics of the analysed population, and the
extent of exposure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.cells import Cell, Row, Table, count_cell, record_key, summary_cells
from trialdesk.reports.week24.stats import summarise
from trialdesk.reports.week24.texts import T, W
from trialdesk.study.texts import Text

__all__ = ["baseline_table", "demographics_table", "disposition_table", "exposure_table"]

AdamRow = Mapping[str, Value]
SUMMARY_COLUMNS = (W.characteristic, W.n, W.mean, W.sd, W.median, W.range_, W.ci_t)

# CDISC CT C66731 (SEX) submission values, with their readers' names
_SEX = {
    "F": T("Female", "女"),
    "M": T("Male", "男"),
    "U": T("Unknown", "未知"),
    "UNDIFFERENTIATED": T("Undifferentiated", "未分化"),
}
_NOT_REPORTED = T("Not reported", "未报告")
_EOSSTT = {
    "COMPLETED": T("Completed", "完成"),
    "DISCONTINUED": T("Discontinued", "中止"),
    "ONGOING": T("Ongoing", "进行中"),
}


def safety(adsl: Dataset) -> list[AdamRow]:
    return [r for r in adsl.rows if r.get("SAFFL") == "Y"]


def _counts(
    rows: Sequence[AdamRow],
    adsl: Dataset,
    key: Callable[[AdamRow], str],
    names: Mapping[str, Text],
    denominator: int,
) -> list[Row]:
    groups: dict[str, list[AdamRow]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    order = [k for k in names if k in groups] + sorted(k for k in groups if k not in names)
    return [
        Row(
            names.get(k) or (T(k, k) if k else _NOT_REPORTED),
            (count_cell(groups[k], adsl, denominator),),
            level=1,
        )
        for k in order
    ]


def disposition_table(adsl: Dataset) -> Table:
    """Analysis sets and end of study (everyone in ADSL; % of the intention-to-treat set)."""
    everyone = list(adsl.rows)
    itt = [r for r in everyone if r.get("ITTFL") == "Y"]
    n = len(itt)
    rows = [
        Row(T("In ADSL (consented)", "ADSL中（已知情同意）"), (count_cell(everyone, adsl, None),)),
        Row(T("Assigned to the arm (ITTFL = Y)", "入组（ITTFL = Y）"), (count_cell(itt, adsl, n),)),
        Row(
            T("Safety set (SAFFL = Y)", "安全性分析集（SAFFL = Y）"),
            (count_cell(safety(adsl), adsl, n),),
        ),
        Row(
            T("Full analysis set (FASFL = Y)", "全分析集（FASFL = Y）"),
            (count_cell([r for r in itt if r.get("FASFL") == "Y"], adsl, n),),
        ),
        Row(T("End of study (EOSSTT)", "研究结束状态（EOSSTT）"), (Cell(""),)),
        *_counts(itt, adsl, lambda r: str(r.get("EOSSTT") or ""), _EOSSTT, n),
    ]
    stopped = [r for r in itt if r.get("EOSSTT") == "DISCONTINUED"]
    if stopped:
        rows.append(
            Row(T("Reason for discontinuation (DCSREAS)", "中止原因（DCSREAS）"), (Cell(""),))
        )
        rows += _counts(stopped, adsl, lambda r: str(r.get("DCSREAS") or ""), {}, n)
    return Table(
        "disposition",
        T("Analysis sets and disposition", "分析集与受试者分布"),
        (W.characteristic, W.n_pct),
        tuple(rows),
        T(f"Percentages of the ITT set (N = {n})", f"百分比以ITT集为分母（N = {n}）"),
    )


def _summary_row(label: Text, values: Sequence[tuple[AdamRow, float | None]], ds: Dataset) -> Row:
    kept = [(r, v) for r, v in values if v is not None]
    subjects = tuple(sorted({str(r.get("USUBJID")) for r, _ in kept}))
    records = tuple(record_key(ds, r) for r, _ in kept)
    return Row(label, summary_cells(summarise(v for _, v in kept), subjects, records))


def _num(value: Value) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _value_of(variable: str) -> Callable[[AdamRow], str]:
    return lambda r: str(r.get(variable) or "")


def demographics_table(adsl: Dataset) -> Table:
    """Age (summary), sex, race and ethnicity of the safety set."""
    people = safety(adsl)
    n = len(people)
    rows = [
        _summary_row(
            T("Age (years)", "年龄（岁）"), [(r, _num(r.get("AGE"))) for r in people], adsl
        )
    ]
    blank = (Cell(""),) * 6
    for label, variable, names in (
        (T("Sex", "性别"), "SEX", _SEX),
        (T("Race", "种族"), "RACE", {}),
        (T("Ethnicity", "民族"), "ETHNIC", {}),
    ):
        rows.append(Row(label, blank))
        for row in _counts(people, adsl, _value_of(variable), names, n):
            rows.append(Row(row.label, (row.cells[0], *(Cell(""),) * 5), level=1))
    return Table(
        "demographics",
        T("Demographics", "人口学特征"),
        (W.characteristic, T("n (%) / n", "n (%) / n"), W.mean, W.sd, W.median, W.range_, W.ci_t),
        tuple(rows),
        T(f"Safety set (N = {n})", f"安全性分析集（N = {n}）"),
    )


def baseline_table(adsl: Dataset, adeff: Dataset | None) -> Table:
    """Each efficacy parameter's baseline (ABLFL = Y) in the full analysis set."""
    fas = {r.get("USUBJID") for r in adsl.rows if r.get("FASFL") == "Y"}
    rows: list[Row] = []
    if adeff is not None:
        by_param: dict[str, list[AdamRow]] = {}
        names: dict[str, str] = {}
        for r in adeff.rows:
            if r.get("ABLFL") == "Y" and r.get("USUBJID") in fas:
                by_param.setdefault(str(r.get("PARAMCD")), []).append(r)
                names[str(r.get("PARAMCD"))] = str(r.get("PARAM") or r.get("PARAMCD"))
        for code in sorted(by_param, key=lambda c: _num(by_param[c][0].get("PARAMN")) or 0):
            label = T(names[code], names[code])
            rows.append(
                _summary_row(label, [(r, _num(r.get("AVAL"))) for r in by_param[code]], adeff)
            )
    return Table(
        "baseline",
        T("Baseline characteristics (efficacy parameters)", "基线特征（疗效参数）"),
        SUMMARY_COLUMNS,
        tuple(rows),
        T(f"Full analysis set (N = {len(fas)})", f"全分析集（N = {len(fas)}）"),
    )


def exposure_table(adsl: Dataset, cut_day: int | None) -> Table:
    """Participants treated (TRTSDT known) and their follow-up in days: from the first
    dose to the end of study (EOSDT), or to the data cut while ongoing, both days counted
    (ADaMIG v1.3 duration convention: end - start + 1)."""
    itt = [r for r in adsl.rows if r.get("ITTFL") == "Y"]
    treated = [r for r in itt if isinstance(r.get("TRTSDT"), (int, float))]

    def follow_up(r: AdamRow) -> float | None:
        start = _num(r.get("TRTSDT"))
        end = _num(r.get("EOSDT")) if r.get("EOSSTT") != "ONGOING" else cut_day
        return None if start is None or end is None else float(end) - start + 1

    blank = (Cell(""),) * 5
    first = count_cell(treated, adsl, len(itt))
    return Table(
        "exposure",
        T("Exposure and follow-up", "暴露与随访"),
        (W.characteristic, T("n (%) / n", "n (%) / n"), W.mean, W.sd, W.median, W.range_, W.ci_t),
        (
            Row(T("Treated (TRTSDT known)", "已接受治疗（TRTSDT已知）"), (first, *blank)),
            Row(
                T("Treatment duration (TRTDURD, days)", "治疗持续时间（TRTDURD，天）"),
                _summary_row(W.n, [(r, _num(r.get("TRTDURD"))) for r in treated], adsl).cells,
            ),
            Row(
                T("Follow-up since the first dose (days)", "首次给药后随访时间（天）"),
                _summary_row(W.n, [(r, follow_up(r)) for r in treated], adsl).cells,
            ),
        ),
        T(
            f"ITT set (N = {len(itt)}); follow-up to EOSDT, or to the data cut while ongoing",
            f"ITT集（N = {len(itt)}）；随访至EOSDT，进行中者至数据截止日",
        ),
    )
