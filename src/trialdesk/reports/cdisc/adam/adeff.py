"""ADEFF, the efficacy analysis dataset (BDS, ADaMIG v1.3 §3.3), from the SDTM records of
the study's efficacy scores and ADSL.

A parameter per score an endpoint reads (endpoints.yaml ``reads``: a form item whose SDTM
target names the domain and test: QS WOMAC and HAQ-DI, RS DAS28/CDAI/SDAI, MK joint
counts, ...), so nothing here names a score. Analysis visits are the schedule's own
windows (bds.windows_from_schedule: AVISIT, AVISITN, AWTARGET, AWLO, AWHI, AWTDIFF, AWU,
AWRANGE), ABLFL the last value on or before the first dose, BASE, CHG, PCHG, and ANL01FL
one record per window (nearest the target, the later of two equally near: bds.py).

Missing visits: observed cases by default (conduct-anchors.md §5.3, T-E1, a PROTOCOL
ASSUMPTION for the SAP); ``locf=True`` adds last-observation-carried-forward rows with
DTYPE "LOCF", as the CDISC pilot's ADQSCIBC does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.adam.bds import AnalysisWindow
from trialdesk.reports.cdisc.adam.findings import Parameter, bds_rows, row_order
from trialdesk.reports.cdisc.adam.variables import date_formats, variables
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.study.endpoints import EndpointKind
from trialdesk.study.endpoints_file import FILE as ENDPOINTS_FILE
from trialdesk.study.loader import Study

__all__ = ["ADEFF_VARIABLES", "EfficacySource", "adeff", "efficacy_parameters"]

ADEFF_VARIABLES = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "TRTP", "TRTA", "TRTSDT", "SAFFL", "FASFL",
    "PARAMCD", "PARAM", "PARAMN", "AVAL", "AVALC", "AVALU", "ADT", "ADY", "VISIT",
    "VISITNUM", "AVISIT", "AVISITN", "AWRANGE", "AWTARGET", "AWTDIFF", "AWLO", "AWHI", "AWU",
    "ABLFL", "BASE", "CHG", "PCHG", "ANL01FL", "DTYPE", "SRCDOM", "SRCVAR", "SRCSEQ",
)  # fmt: skip

_KEPT = frozenset(ADEFF_VARIABLES)

EfficacySource = tuple[str, Parameter]  # (SDTM domain, the parameter read from it)


def efficacy_parameters(study: Study) -> list[EfficacySource]:
    """The parameters of the study's change-from-baseline endpoints, in endpoint order:
    each read item's SDTM target gives the domain, PARAMCD (its test code), PARAM (its
    test name, else the item's English label) and --CAT. An item without a target is an
    error naming the file, the endpoint and the item (every such item at once): the study
    folder must say where its data go."""
    found: dict[str, EfficacySource] = {}
    problems: list[TrialdeskError] = []
    for endpoint in study.endpoints:
        if endpoint.kind is not EndpointKind.CHANGE_FROM_BASELINE:
            continue
        for ref in endpoint.reads:
            form = study.forms.get(ref.form or "")
            item = next((i for i in form.items if i.id == ref.item), None) if form else None
            target = item.sdtm if item is not None else None
            if item is None or target is None or target.testcd is None:
                problems.append(
                    InputError(
                        f"endpoint {endpoint.id} reads {ref}, which has no SDTM test: give "
                        "the form item an sdtm target with a testcd (forms/)",
                        file=str(study.folder / ENDPOINTS_FILE),
                    )
                )
                continue
            if target.testcd not in found:
                parameter = Parameter(
                    paramcd=target.testcd,
                    param=target.test or item.label.en,
                    paramn=len(found) + 1,
                    testcd=target.testcd,
                    cat=target.cat,
                )
                found[target.testcd] = (target.domain, parameter)
    if problems:
        raise FieldErrors(problems, resource=str(study.folder / ENDPOINTS_FILE))
    return list(found.values())


def adeff(
    sdtm: Mapping[str, Dataset],
    adsl: Dataset,
    sources: Sequence[EfficacySource],
    windows: Sequence[AnalysisWindow],
    *,
    locf: bool = False,
    name: str = "ADEFF",
    label: str = "Efficacy Analysis Dataset",
) -> Dataset:
    """The efficacy dataset from the SDTM domains the parameters read (a domain absent
    from ``sdtm`` gives no rows for its parameters)."""
    subjects: Mapping[Value, Mapping[str, Value]] = {r["USUBJID"]: r for r in adsl.records()}
    by_domain: dict[str, list[Parameter]] = {}
    for domain, parameter in sources:
        by_domain.setdefault(domain, []).append(parameter)
    rows: list[dict[str, Value]] = []
    for domain, parameters in by_domain.items():
        if domain in sdtm:
            records = _records_of_tests(sdtm[domain], domain, {p.testcd for p in parameters})
            rows += bds_rows(records, domain, parameters, subjects, windows, locf=locf)
    rows.sort(key=row_order)
    return Dataset(
        name=name,
        label=label,
        variables=variables(ADEFF_VARIABLES),
        rows=tuple({k: v for k, v in r.items() if k in _KEPT} for r in rows),
        keys=("STUDYID", "USUBJID", "PARAMCD", "AVISITN", "ADT", "DTYPE"),
        structure="One record per subject per parameter per analysis date",
        dataset_class="BASIC DATA STRUCTURE",
        extra={"display_formats": date_formats(ADEFF_VARIABLES)},
    )


def _records_of_tests(dataset: Dataset, domain: str, tests: set[str]) -> list[dict[str, Value]]:
    """``dataset.records()`` of the records of ``tests`` only (a parameter reads its own
    test's records): the scores among a questionnaire's every question."""
    name = f"{domain}TESTCD"
    if name not in dataset.names:
        return dataset.records()
    return dataset.records([i for i, code in enumerate(dataset.column(name)) if code in tests])
