"""The efficacy tables from ADEFF: change from baseline at the endpoint visit per
parameter, and the categorical endpoints (EULAR response) with exact intervals.

The analysis record of a participant at a visit is ADEFF's ANL01FL = "Y" record of that
analysis window (AVISITN = the visit's VISITNUM: adam/bds.py, the schedule's own windows);
the full analysis set (FASFL) is the population; missing visits are not imputed (observed
cases: adam/adeff.py, a protocol assumption). A change is CHG = AVAL - BASE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from trialdesk.clinical.calculators import calculator
from trialdesk.errors import FactError
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.cells import (
    Cell,
    Row,
    Table,
    ci_cell,
    count_cell,
    record_key,
    summary_cells,
)
from trialdesk.reports.week24.stats import proportion, summarise
from trialdesk.reports.week24.texts import T, W
from trialdesk.study.endpoints import Endpoint, EndpointKind
from trialdesk.study.forms import Item
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text

__all__ = [
    "analysis_rows",
    "category_table",
    "change_table",
    "endpoint_visitnum",
    "parameters_of",
]

AdamRow = Mapping[str, Value]


def endpoint_visitnum(study: Study, endpoint: Endpoint) -> float | None:
    """The VISITNUM (= AVISITN) of the visit an endpoint is assessed at."""
    if study.schedule is None or endpoint.visit is None:
        return None
    return float(study.schedule.visit(endpoint.visit).visitnum)


def fas_ids(adsl: Dataset) -> set[Value]:
    return {r.get("USUBJID") for r in adsl.rows if r.get("FASFL") == "Y"}


def analysis_rows(adeff: Dataset, adsl: Dataset, avisitn: float) -> dict[str, list[AdamRow]]:
    """Per PARAMCD, the full analysis set's analysis records at the window ``avisitn``."""
    fas = fas_ids(adsl)
    out: dict[str, list[AdamRow]] = {}
    for r in adeff.rows:
        if r.get("ANL01FL") == "Y" and r.get("AVISITN") == avisitn and r.get("USUBJID") in fas:
            out.setdefault(str(r.get("PARAMCD")), []).append(r)
    return out


def parameters_of(study: Study) -> list[tuple[str, Text, float | None]]:
    """(PARAMCD, label, visitnum) of each change-from-baseline endpoint's parameters, in
    endpoint order (the SDTM test code of each item read: adam/adeff.py)."""
    out: list[tuple[str, Text, float | None]] = []
    for endpoint in study.endpoints:
        if endpoint.kind is not EndpointKind.CHANGE_FROM_BASELINE:
            continue
        for item in _items(study, endpoint):
            if (
                item.sdtm is not None
                and item.sdtm.testcd
                and all(p[0] != item.sdtm.testcd for p in out)
            ):
                out.append((item.sdtm.testcd, item.label, endpoint_visitnum(study, endpoint)))
    return out


def _items(study: Study, endpoint: Endpoint) -> list[Item]:
    found = []
    for ref in endpoint.reads:
        form = study.forms.get(ref.form or "")
        item = next((i for i in form.items if i.id == ref.item), None) if form else None
        if item is not None:
            found.append(item)
    return found


def change_table(study: Study, adeff: Dataset, adsl: Dataset) -> Table:
    """Change from baseline at each endpoint's visit: n, mean, SD, median, min-max and the
    95% t interval (stats.summarise)."""
    rows: list[Row] = []
    cache: dict[float, dict[str, list[AdamRow]]] = {}
    for code, label, visitnum in parameters_of(study):
        if visitnum is None:
            continue
        at_visit = cache.setdefault(visitnum, analysis_rows(adeff, adsl, visitnum))
        kept = [r for r in at_visit.get(code, []) if isinstance(r.get("CHG"), (int, float))]
        subjects = tuple(sorted({str(r.get("USUBJID")) for r in kept}))
        records = tuple(record_key(adeff, r) for r in kept)
        summary = summarise(float(r["CHG"]) for r in kept)  # type: ignore[arg-type]
        rows.append(
            Row(
                T(f"{label.en} ({code})", f"{label.get('zh-CN')}（{code}）"),
                summary_cells(summary, subjects, records),
            )
        )
    n = len(fas_ids(adsl))
    return Table(
        "change_from_baseline",
        T("Change from baseline at week 24", "第24周较基线的变化"),
        (W.parameter, W.n, W.mean, W.sd, W.median, W.range_, W.ci_t),
        tuple(rows),
        T(
            f"Full analysis set (N = {n}); observed cases, no imputation",
            f"全分析集（N = {n}）；观察病例，不填补",
        ),
    )


@dataclass(frozen=True)
class _Derived:
    item: Item
    calculator: str
    inputs: tuple[tuple[str, str, bool], ...]  # (calculator input, PARAMCD, from BASE)


def _derivable(study: Study, item: Item, forms_item: Mapping[str, Item]) -> _Derived | None:
    """A categorical item the report can derive from ADEFF: its calculator's every input
    is an item whose SDTM test is an ADEFF parameter (a baseline input reads BASE, another
    AVAL), with no constants."""
    d = item.derived
    if d is None or d.constants:
        return None
    inputs = []
    for name, ref in d.inputs:
        source = forms_item.get(f"{ref.form}.{ref.item}" if ref.form else ref.item)
        if source is None or source.sdtm is None or not source.sdtm.testcd:
            return None
        inputs.append((name, source.sdtm.testcd, ref.baseline))
    return _Derived(item, d.calculator, tuple(inputs))


def category_table(study: Study, adeff: Dataset, adsl: Dataset) -> Table:
    """Each categorical endpoint (EULAR response) at its visit: the item's calculator
    (clinical/calculators.py, the one the forms use) applied to the analysis record's
    AVAL and BASE of its input parameters; n (%) with the exact interval per category,
    of the participants in whom it could be derived."""
    rows: list[Row] = []
    for endpoint in study.endpoints:
        if endpoint.kind is not EndpointKind.CATEGORY_AT_VISIT:
            continue
        visitnum = endpoint_visitnum(study, endpoint)
        if visitnum is None:
            continue
        at_visit = analysis_rows(adeff, adsl, visitnum)
        for item in _items(study, endpoint):
            form = next(f for f in study.forms.values() if item in f.items)
            derived = _derivable(study, item, {i.id: i for i in form.items})
            if derived is None:
                continue
            rows += _category_rows(derived, at_visit, adeff)
    n = len(fas_ids(adsl))
    return Table(
        "categories",
        T("EULAR response at week 24", "第24周EULAR反应"),
        (W.category, W.n_pct, W.ci_exact),
        tuple(rows),
        T(
            f"Full analysis set (N = {n}); % of those with the category derivable",
            f"全分析集（N = {n}）；百分比以可判定者为分母",
        ),
    )


def _category_rows(
    derived: _Derived, at_visit: Mapping[str, Sequence[AdamRow]], adeff: Dataset
) -> list[Row]:
    by_subject: dict[Value, dict[str, AdamRow]] = {}
    for _, code, _ in derived.inputs:
        for r in at_visit.get(code, []):
            by_subject.setdefault(r.get("USUBJID"), {})[code] = r
    function = calculator(derived.calculator).function
    results: dict[str, list[AdamRow]] = {}
    for _, records in sorted(by_subject.items(), key=lambda kv: str(kv[0])):
        values: dict[str, object] = {}
        for name, code, from_base in derived.inputs:
            record = records.get(code)
            value = None if record is None else record.get("BASE" if from_base else "AVAL")
            if value is None:
                break
            values[name] = Decimal(str(value))
        else:
            try:
                category = str(function(values))
            except FactError:  # a value the calculator refuses: not derivable, left out
                continue
            results.setdefault(category, []).extend(records.values())
    n = len({r.get("USUBJID") for rs in results.values() for r in rs})
    label = derived.item.label
    all_rows = [r for rs in results.values() for r in rs]
    head = count_cell(all_rows, adeff, None)
    rows = [Row(label, (head, Cell("")))]
    for choice in derived.item.choices:
        chosen = results.get(choice.code, [])
        cell = count_cell(chosen, adeff, n)
        rows.append(Row(choice.label, (cell, ci_cell(proportion(len(cell.subjects), n), cell)), 1))
    return rows
