"""The week-24 report as data: its tables (each cell with the participants and ADaM records
behind it), its figures as SVG, the CONSORT diagram, the protocol assumptions it rests on
and the data cut in site time. ``week24_report(study, adam)`` reads the ADaM datasets only
(reports/cdisc/adam ``adam_datasets``); ``report_json`` gives the same tables as data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trialdesk.reports.cdisc.adam.dates import to_sas_date
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.consort import ConsortCounts, consort_svg
from trialdesk.reports.week24 import efficacy_tables as efficacy
from trialdesk.reports.week24 import listings
from trialdesk.reports.week24 import population_tables as population
from trialdesk.reports.week24 import safety_tables as safety
from trialdesk.reports.week24.cells import Table, text_json
from trialdesk.reports.week24.figures import Figure, figures
from trialdesk.reports.week24.texts import T
from trialdesk.study.endpoints import Endpoint, EndpointKind
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.study.windows import site_time

__all__ = ["Assumption", "Week24Report", "report_json", "week24_report"]


@dataclass(frozen=True)
class Assumption:
    """A protocol assumption the report rests on, with where it comes from."""

    text: Text
    source: str


@dataclass(frozen=True)
class Week24Report:
    study_id: str
    title: Text
    data_cut: datetime  # in site time (study/windows.py site_time)
    lang: str  # the language of the figures (the tables carry both)
    tables: tuple[Table, ...]
    endpoints: tuple[Endpoint, ...]
    assumptions: tuple[Assumption, ...]
    figures: tuple[Figure, ...]  # (id, caption, SVG)
    consort: ConsortCounts | None = None
    consort_svg: str | None = None

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)


def _assumptions(study: Study) -> list[Assumption]:
    out = [
        Assumption(e.measure, e.source or "endpoints.yaml") for e in study.endpoints if e.assumption
    ]
    schedule = study.schedule
    if schedule is not None and schedule.assumption:
        out.append(
            Assumption(
                T(
                    "Analysis windows are the schedule's visit windows (AVISIT, AWLO-AWHI)",
                    "分析时间窗即访视计划的访视时间窗（AVISIT，AWLO-AWHI）",
                ),
                schedule.source or "schedule.yaml",
            )
        )
    out += [
        Assumption(
            T(
                "Analysis sets: ITT = assigned to the arm; safety = ITT and injected; "
                "full analysis = safety with a baseline and a post-baseline efficacy value",
                "分析集：ITT = 入组；安全性 = ITT且已注射；"
                "全分析 = 安全性集中有基线及基线后疗效值者",
            ),
            "reports/cdisc/adam/adsl.py (the CDISC pilot's rules; ICH E9 §5.2)",
        ),
        Assumption(
            T("Missing visits are not imputed (observed cases)", "缺失访视不填补（观察病例）"),
            "reports/cdisc/adam/adeff.py (conduct-anchors.md §5.3)",
        ),
        Assumption(
            T(
                "Related = possible, probable or definite; a missing assessment counts as related",
                "相关 = 可能、很可能或肯定相关；未评估者计为相关",
            ),
            "reports/cdisc/adam/occds.py (NCI CTEP AE reporting guidelines 2005)",
        ),
        Assumption(safety.WITHDRAWAL_NOTE, "ICH E3 §12.2.2"),
    ]
    return out


def _by_name(adam: Mapping[str, Dataset] | Sequence[Dataset]) -> dict[str, Dataset]:
    if isinstance(adam, Mapping):
        return dict(adam)
    return {d.name: d for d in adam}


def week24_report(
    study: Study,
    adam: Mapping[str, Dataset] | Sequence[Dataset],
    *,
    data_cut: datetime,
    lang: str = "en",
    consort: ConsortCounts | None = None,
    draw: bool = True,
    png: bool = False,
) -> Week24Report:
    """The report of ``study`` from its ADaM datasets (ADSL required; ADAE, ADLB, ADEFF
    give their tables when present) as of ``data_cut`` (an aware instant); ``draw``: make
    the figures (off for JSON); ``png``: as PNG data URIs (for the PDF)."""
    datasets = _by_name(adam)
    if "ADSL" not in datasets:
        raise KeyError(
            "the week-24 report needs ADSL (datasets given: " + ", ".join(sorted(datasets)) + ")"
        )
    adsl = datasets["ADSL"]
    cut = site_time(study.schedule, data_cut)
    cut_day = to_sas_date(cut.date().isoformat())
    tables = [
        population.disposition_table(adsl),
        population.demographics_table(adsl),
        population.exposure_table(adsl, cut_day),
    ]
    adeff = datasets.get("ADEFF")
    tables.append(population.baseline_table(adsl, adeff))
    if "ADAE" in datasets:
        adae = datasets["ADAE"]
        tables += [
            safety.overview_table(adae, adsl),
            safety.by_term_table(adae, adsl),
            safety.by_grade_table(adae, adsl),
            safety.by_relationship_table(adae, adsl),
            listings.sae_listing(adae, adsl),
            listings.aesi_listing(adae, adsl, study.safety),
        ]
    if "ADLB" in datasets:
        tables.append(safety.lab_shift_table(datasets["ADLB"], adsl))
    if adeff is not None:
        tables += [
            efficacy.change_table(study, adeff, adsl),
            efficacy.category_table(study, adeff, adsl),
        ]
    drawn: list[Figure] = []
    if draw:
        first = next(
            (e for e in study.endpoints if e.kind is EndpointKind.CHANGE_FROM_BASELINE), None
        )
        visitnum = efficacy.endpoint_visitnum(study, first) if first else None
        params = [(code, label.get(lang)) for code, label, _ in efficacy.parameters_of(study)]
        drawn = figures(
            study,
            datasets,
            lang,
            endpoint_visitnum=visitnum,
            cut_day=cut_day,
            parameters=params,
            png=png,
        )
    return Week24Report(
        study_id=study.id,
        title=T(f"{study.id}: week-24 report", f"{study.id}：第24周报告"),
        data_cut=cut,
        lang=lang,
        tables=tuple(tables),
        endpoints=tuple(study.endpoints),
        assumptions=tuple(_assumptions(study)),
        figures=tuple(drawn),
        consort=consort,
        consort_svg=consort_svg(consort) if consort is not None else None,
    )


def report_json(report: Week24Report) -> dict[str, Any]:
    """The report's tables as data (``--format json``), with its endpoints, assumptions,
    data cut and CONSORT numbers; no figures."""
    f = report.consort.follow_up if report.consort is not None else None
    return {
        "study": report.study_id,
        "title": text_json(report.title),
        "data_cut": report.data_cut.isoformat(),
        "endpoints": [
            {
                "id": e.id,
                "primary": e.primary,
                "measure": text_json(e.measure),
                "time_frame": text_json(e.time_frame),
                "visit": e.visit,
                "assumption": e.assumption,
            }
            for e in report.endpoints
        ],
        "assumptions": [
            {"text": text_json(a.text), "source": a.source} for a in report.assumptions
        ],
        "consort": None
        if report.consort is None
        else {
            "assessed": report.consort.assessed,
            "excluded": report.consort.excluded,
            "enrolled": report.consort.enrolled,
            "received": f.received if f else None,
            "completed": f.completed if f else None,
            "discontinued": f.discontinued if f else None,
            "ongoing": f.ongoing if f else None,
            "analysed": f.analysed if f else None,
        },
        "tables": [t.to_json() for t in report.tables],
    }
