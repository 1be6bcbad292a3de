"""The SDTM package: every domain built from one source, written to a folder as SAS XPT v5
(FDA TCG §3.3.1) or Dataset-JSON 1.1, one file per dataset named after it in lower case
(ae.xpt, ae.json), in a stable order (trial design, special purpose, interventions, events,
findings). A dataset with no records is not written (FDA TCG §4.1.1.1: no empty
datasets), except DM and the trial design. Everything XPT v5 cannot hold is reported at
once, before any file is written. Writing into a folder that holds an earlier package
removes the dataset files its define.xml lists that this package does not write (a domain
now empty, the other format); define.xml and define.html are rewritten; other files stay.
An XPT file's header carries the source's ``created`` instant, so the same data give the
same bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.gc_pause import cycle_collection_paused
from trialdesk.reports.cdisc.dataset import Dataset, write_dataset_json, write_xpt, xpt_problems
from trialdesk.reports.cdisc.define.build import metadata_version_oid
from trialdesk.reports.cdisc.sdtm.ae import ae_domain
from trialdesk.reports.cdisc.sdtm.cm import cm_domain
from trialdesk.reports.cdisc.sdtm.dm import dm_domain
from trialdesk.reports.cdisc.sdtm.ds import ds_domain
from trialdesk.reports.cdisc.sdtm.dv import dv_domain
from trialdesk.reports.cdisc.sdtm.ex import ex_domain
from trialdesk.reports.cdisc.sdtm.findings import findings_domains
from trialdesk.reports.cdisc.sdtm.ie import ie_domain
from trialdesk.reports.cdisc.sdtm.mh import mh_domain
from trialdesk.reports.cdisc.sdtm.se import se_domain
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.supp import supp_datasets
from trialdesk.reports.cdisc.sdtm.sv import sv_domain
from trialdesk.reports.cdisc.sdtm.trial_design import ta_domain, te_domain, ti_domain, tv_domain
from trialdesk.reports.cdisc.sdtm.ts import ts_domain

__all__ = ["ALWAYS", "Format", "Progress", "Written", "sdtm_datasets", "write_package"]

Format = Literal["xpt", "json"]
Progress = Callable[[str, int, int], None]  # (dataset, done, total)

# written even when empty: the subjects and the design say what the study is
ALWAYS = frozenset({"DM", "TA", "TE", "TV", "TI", "TS"})


@cycle_collection_paused()  # every record of the trial, kept to the end (gc_pause.py)
def sdtm_datasets(source: SdtmSource) -> list[Dataset]:
    """Every SDTM dataset of the study, in the package's order, the SUPP-- datasets last.

    The Findings domains (VS, LB, QS, ...) and CM are read from the participants'
    casebooks; their VISITNUM/VISIT/EPOCH come from timing.py, as SV's and TV's do."""
    study = source.study
    books = source.casebooks
    datasets = [
        ta_domain(study), te_domain(study), tv_domain(study), ti_domain(study), ts_domain(source),
        dm_domain(source), se_domain(source), sv_domain(source),
        ex_domain(source), cm_domain(study, books),
        ae_domain(source), ds_domain(source), dv_domain(source), mh_domain(source),
        ie_domain(source), *findings_domains(study, books),
    ]  # fmt: skip
    # SDTMIG 3.4 §8.4.1: one SUPP-- per parent with qualifiers, each naming its parent record
    return datasets + supp_datasets(datasets)


@dataclass(frozen=True)
class Written:
    dataset: Dataset
    path: Path


def write_package(
    datasets: list[Dataset], out: Path, *, format: Format, source: SdtmSource,
    progress: Progress | None = None, always: frozenset[str] = ALWAYS,
) -> tuple[list[Written], list[str]]:  # fmt: skip
    """Write ``datasets`` to ``out`` (created if needed); the files written, and the names
    of the empty datasets left out (those not in ``always``: ADaM passes ADSL)."""
    kept = [d for d in datasets if d.rows or d.name in always]
    skipped = [d.name for d in datasets if not (d.rows or d.name in always)]
    if format == "xpt":
        errors: list[TrialdeskError] = [
            InputError(f"{problem} ({d.name.lower()}.xpt)", field=where)
            for d in kept for where, problem in xpt_problems(d).items()
        ]  # fmt: skip
        if errors:
            raise FieldErrors(errors, resource=str(out))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    for i, d in enumerate(kept):
        if progress is not None:
            progress(d.name, i, len(kept))
        if format == "xpt":
            path = write_xpt(d, out / f"{d.name.lower()}.xpt", checked=True, created=source.created)
        else:
            path = write_dataset_json(
                d, out / f"{d.name.lower()}.json", study_oid=source.studyid, created=source.created,
                metadata_version_oid=metadata_version_oid(source.studyid),  # define.xml's
            )  # fmt: skip
        written.append(Written(d, path))
    if progress is not None:
        progress("", len(kept), len(kept))
    _remove_stale(out, {w.path.name for w in written})
    return written, skipped


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _remove_stale(out: Path, written: set[str]) -> None:
    """Remove the dataset files of an earlier package in ``out`` that this one did not
    write (a domain now empty, the other format), so that the folder holds one package.
    The earlier package is what its define.xml lists (``def:leaf`` ``xlink:href``, plain
    file names in the folder): other files are left alone, nothing is guessed from names."""
    define = out / "define.xml"
    if not define.is_file():
        return
    try:
        root = ElementTree.parse(define).getroot()
    except ElementTree.ParseError:
        return  # not a define.xml this module wrote: nothing is known to be stale
    for element in root.iter():
        href = element.get(_XLINK_HREF) or ""
        if "/" in href or "\\" in href or not href.endswith((".xpt", ".json")):
            continue
        path = out / href
        if href not in written and path.is_file():
            path.unlink()
