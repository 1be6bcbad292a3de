"""The week-24 report's figures from ADaM (plots.py draws them): each participant's course
and the mean change with its interval over the analysis visits for the first endpoint
parameters, a swimmer plot of follow-up with the TEAEs, and a waterfall of the change at
the endpoint visit."""

from __future__ import annotations

from collections.abc import Mapping

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.efficacy_tables import fas_ids
from trialdesk.reports.week24.plots import SwimmerLane, mean_with_ci, spaghetti, swimmer, waterfall
from trialdesk.reports.week24.safety_tables import teae_rows
from trialdesk.reports.week24.stats import summarise
from trialdesk.reports.week24.texts import PLOT
from trialdesk.study.loader import Study

__all__ = ["Figure", "figures"]

AdamRow = Mapping[str, Value]
Figure = tuple[str, str, str]  # (id, caption, SVG)
PARAMETERS_DRAWN = 2  # the course and mean plots of the first endpoint parameters


def _num(v: Value) -> float | None:
    return float(v) if isinstance(v, (int, float)) else None


def figures(
    study: Study,
    adam: Mapping[str, Dataset],
    lang: str,
    *,
    endpoint_visitnum: float | None,
    cut_day: int | None,
    parameters: list[tuple[str, str]],
    png: bool = False,
) -> list[Figure]:
    """The figures in ``lang``; ``parameters``: (PARAMCD, its label in ``lang``); ``png``:
    PNG data URIs instead of SVG (plots.py)."""
    out: list[Figure] = []
    adsl, adeff = adam["ADSL"], adam.get("ADEFF")
    fas = fas_ids(adsl)
    if adeff is not None:
        analysed = [r for r in adeff.rows if r.get("ANL01FL") == "Y" and r.get("USUBJID") in fas]
        ticks = {
            _num(r.get("AVISITN")) or 0.0: str(r.get("AVISIT")).split(" (")[0] for r in analysed
        }
        for code, label in parameters[:PARAMETERS_DRAWN]:
            rows = [r for r in analysed if r.get("PARAMCD") == code]
            courses: dict[str, list[tuple[float, float]]] = {}
            for r in rows:
                x, y = _num(r.get("AVISITN")), _num(r.get("AVAL"))
                if x is not None and y is not None:
                    courses.setdefault(str(r.get("SUBJID")), []).append((x, y))
            title = f"{label}: {PLOT['course'].get(lang)}"
            out.append(
                (
                    f"course-{code}",
                    title,
                    spaghetti(
                        courses,
                        title=title,
                        x_label=PLOT["visit"].get(lang),
                        y_label=label,
                        ticks=ticks,
                        png=png,
                    ),
                )
            )
            by_visit: dict[float, list[float]] = {}
            for r in rows:
                x, change = _num(r.get("AVISITN")), _num(r.get("CHG"))
                if x is not None and change is not None and r.get("ABLFL") != "Y":
                    by_visit.setdefault(x, []).append(change)
            title = f"{label}: {PLOT['mean_ci'].get(lang)}"
            out.append(
                (
                    f"mean-{code}",
                    title,
                    mean_with_ci(
                        [(x, summarise(v)) for x, v in by_visit.items()],
                        title=title,
                        x_label=PLOT["visit"].get(lang),
                        y_label=PLOT["change"].get(lang),
                        ticks={x: t for x, t in ticks.items() if x in by_visit},
                        zero_line=True,
                        png=png,
                    ),
                )
            )
        if parameters and endpoint_visitnum is not None:
            code, label = parameters[0]
            changes = {
                str(r.get("SUBJID")): float(r["CHG"])  # type: ignore[arg-type]
                for r in analysed
                if r.get("PARAMCD") == code
                and r.get("AVISITN") == endpoint_visitnum
                and _num(r.get("CHG")) is not None
            }
            title = f"{label}: {PLOT['waterfall'].get(lang)}"
            out.append(
                (
                    f"waterfall-{code}",
                    title,
                    waterfall(changes, title=title, y_label=PLOT["change"].get(lang), png=png),
                )
            )
    out.append(("swimmer", PLOT["swimmer"].get(lang), _swimmer(study, adam, lang, cut_day, png)))
    return out


def _swimmer(
    study: Study, adam: Mapping[str, Dataset], lang: str, cut_day: int | None, png: bool
) -> str:
    adsl = adam["ADSL"]
    events: dict[Value, list[tuple[int, bool, str]]] = {}
    if "ADAE" in adam:
        for r in teae_rows(adam["ADAE"], adsl):
            day = _num(r.get("ASTDY"))
            if day is not None:
                events.setdefault(r.get("USUBJID"), []).append(
                    (int(day), r.get("AESER") == "Y", str(r.get("AEDECOD")))
                )
    lanes = []
    for r in adsl.rows:
        start = _num(r.get("TRTSDT"))
        if r.get("SAFFL") != "Y" or start is None:
            continue
        ongoing = r.get("EOSSTT") == "ONGOING"
        end = cut_day if ongoing else _num(r.get("EOSDT"))
        last = int(end - start + 1) if end is not None else 1
        ended = str(r.get("DCSREAS") or "") or None if r.get("EOSSTT") == "DISCONTINUED" else None
        lanes.append(
            SwimmerLane(
                str(r.get("SUBJID")), last, ended, tuple(sorted(events.get(r.get("USUBJID"), [])))
            )
        )
    target = None
    if study.schedule is not None:
        days = [v.day for v in study.schedule.scheduled if v.day is not None]
        target = max(days) if days else None
    return swimmer(
        lanes,
        title=PLOT["swimmer"].get(lang),
        x_label=PLOT["study_day"].get(lang),
        event_label=PLOT["event"].get(lang),
        serious_label=PLOT["serious"].get(lang),
        target_day=target,
        png=png,
    )
