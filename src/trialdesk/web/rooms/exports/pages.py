"""The exports room: the data manager's page listing the CDISC packages and their
downloads, built from the trial store when asked (reports/cdisc/export.py, the same code
as `trialdesk export sdtm|adam`).

- ``GET /staff/exports``: what can be downloaded, the standards and CT version, the
  Findings domains and sponsor-defined tests of the study, its protocol assumptions;
- ``GET /staff/exports/sdtm.zip?format=xpt|json``: the SDTM datasets with define.xml and
  define.html; ``GET /staff/exports/adam.zip?format=xpt|json``: the ADaM datasets.

Building a package reads every casebook and writes every dataset: seconds of CPU, done in
the thread pool so the event loop keeps serving the other pages. A download holds every
participant's data, so it is never cached (Cache-Control: no-store).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from trialdesk.reports.cdisc import terminology
from trialdesk.reports.cdisc.export import (
    ADAM_STANDARD,
    SDTM_STANDARD,
    Kind,
    write_adam,
    write_sdtm,
    zipped,
)
from trialdesk.reports.cdisc.sdtm.findings_plan import findings_domain_names
from trialdesk.reports.cdisc.sdtm.source import source_of
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.review.extract import trial_extract
from trialdesk.trial.store import audit
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_studies, conduct_study
from trialdesk.web.rooms.exports.texts import ASSUMPTIONS, TEXTS

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = "/staff/exports"
FormatQuery = Annotated[Literal["xpt", "json"], Query(description="SAS XPT v5 or Dataset-JSON 1.1")]


@dataclass(frozen=True)
class StudyAssumption:
    """A protocol assumption the study folder declares and the export relies on."""

    what: Text  # what is assumed
    source: str | None
    kind: Text | None = None  # e.g. "Endpoint"


def _study_assumptions(study: Study) -> list[StudyAssumption]:
    """The study folder's assumptions the datasets rest on: the schedule (visits, windows,
    epochs) and the endpoints (the efficacy parameters of ADEFF)."""
    out: list[StudyAssumption] = []
    schedule = study.schedule
    if schedule is not None and (schedule.assumption or any(v.assumption for v in schedule.visits)):
        out.append(StudyAssumption(TEXTS["schedule"], schedule.source))
    out += [
        StudyAssumption(e.measure, e.source, TEXTS["endpoint"])
        for e in study.endpoints
        if e.assumption
    ]
    return out


def _sponsor_defined(study: Study) -> list[str]:
    """The tests the forms define for the sponsor (DAS28, CDAI, ...): DOMAIN.TESTCD."""
    found = {
        f"{item.sdtm.domain}.{item.sdtm.testcd}"
        for form in study.forms.values()
        for item in form.items
        if item.sdtm is not None and item.sdtm.sponsor_defined and item.sdtm.testcd
    }
    return sorted(found)


def _locked(request: Request) -> frozenset[str]:
    with store_of(request).read() as session:
        return audit.locked_studies(session)


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.EXPORT_DATA)])
async def exports_page(request: Request, study: StudyId = None) -> Response:
    """What the data manager can download for the study, and what the export assumes."""
    chosen = conduct_study(request, study)
    locked = await run_in_threadpool(_locked, request)
    context: dict[str, Any] = {
        "t": TEXTS, "locale": locale_of(request), "study": chosen,
        "studies": conduct_studies(request), "locked": chosen.id in locked,
        "sdtm_standard": SDTM_STANDARD, "adam_standard": ADAM_STANDARD,
        "ct_version": terminology.version, "findings": findings_domain_names(chosen),
        "sponsor_defined": _sponsor_defined(chosen), "assumptions": ASSUMPTIONS,
        "study_assumptions": _study_assumptions(chosen),
    }  # fmt: skip
    return remember_locale(request, render(request, "exports.html", context))


def _archive(request: Request, study: Study, kind: Kind, format: Literal["xpt", "json"]) -> bytes:
    """Read the store, write the package to a temporary folder, and zip it (in a thread)."""
    with store_of(request).read() as session:
        extract = trial_extract(session, study)
    source = source_of(study, extract, created=now())
    write = write_sdtm if kind == "sdtm" else write_adam
    with tempfile.TemporaryDirectory(prefix="trialdesk-export-") as folder:
        return zipped(write(source, Path(folder), format=format))


async def _download(
    request: Request, study: str | None, kind: Kind, format: Literal["xpt", "json"]
) -> Response:
    chosen = conduct_study(request, study)
    body = await run_in_threadpool(_archive, request, chosen, kind, format)
    name = f"{chosen.id}-{kind}-{format}.zip"
    return Response(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(PAGE + "/sdtm.zip", dependencies=[allow(Permission.EXPORT_DATA)])
async def sdtm_zip(
    request: Request, study: StudyId = None, format: FormatQuery = "xpt"
) -> Response:
    """The SDTM package (SDTMIG 3.4) with define.xml and define.html, as a zip."""
    return await _download(request, study, "sdtm", format)


@router.get(PAGE + "/adam.zip", dependencies=[allow(Permission.EXPORT_DATA)])
async def adam_zip(
    request: Request, study: StudyId = None, format: FormatQuery = "xpt"
) -> Response:
    """The ADaM package (ADaMIG 1.3) with define.xml and define.html, as a zip."""
    return await _download(request, study, "adam", format)
