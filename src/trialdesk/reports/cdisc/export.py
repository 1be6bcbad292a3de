"""The CDISC submission package as a folder: the datasets, define.xml and define.html.

What `trialdesk export sdtm|adam` and the data manager's download (web/rooms/exports/)
both make, from one SdtmSource (the store's extract, sdtm/source.py):

- SDTM: every domain (sdtm/package.py), SDTMIG 3.4, with define.xml 2.1 listing exactly
  the files written (an empty dataset is not written, FDA TCG §4.1.1.1, nor listed);
- ADaM: ADSL, ADAE, ADLB, ADEFF (adam/) from the same source's SDTM datasets, in memory,
  with their own define.xml (ADaMIG 1.3).

define.xml is built and checked against its schema before any file is written, so a
package is complete or not written at all; its ``def:leaf`` points to ``<name>.xpt`` or
``<name>.json`` as the format says (Define-XML 2.1 §5.3.5.1).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from trialdesk.gc_pause import cycle_collection_paused
from trialdesk.reports.cdisc.adam import adam_datasets
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.define import build_define, to_xml, validate_define
from trialdesk.reports.cdisc.define.html import write_html
from trialdesk.reports.cdisc.sdtm.package import (
    ALWAYS,
    Format,
    Progress,
    Written,
    sdtm_datasets,
    write_package,
)
from trialdesk.reports.cdisc.sdtm.source import SdtmSource

__all__ = [
    "ADAM_STANDARD",
    "SDTM_STANDARD",
    "Kind",
    "Package",
    "write_adam",
    "write_sdtm",
    "zipped",
]

Kind = Literal["sdtm", "adam"]
SDTM_STANDARD = "SDTMIG 3.4"  # issue 16: SDTM IG 3.x; the CT subset is sdtmct-2025-03-28
ADAM_STANDARD = "ADaMIG 1.3"  # the ADaM module follows ADaMIG v1.3 (adam/__init__.py)
# ADSL is written even with no subjects: it is the one dataset every ADaM package has
# (ADaMIG 1.3 §3.1: "ADSL is required in an ADaM submission")
ADAM_ALWAYS = frozenset({"ADSL"})


@dataclass(frozen=True)
class Package:
    """A package written to ``folder``: its dataset files, define.xml and define.html."""

    kind: Kind
    folder: Path
    format: Format
    written: tuple[Written, ...]
    skipped: tuple[str, ...]  # empty datasets, not written
    define: Path
    html: Path
    created: datetime | None = None  # the source's creation instant (zip entry dates)

    @property
    def files(self) -> list[Path]:
        return [w.path for w in self.written] + [self.define, self.html]


def write_sdtm(
    source: SdtmSource, out: Path, *, format: Format,
    datasets: Sequence[Dataset] | None = None, progress: Progress | None = None,
) -> Package:  # fmt: skip
    """The SDTM package of ``source`` in ``out``: the domains (``datasets``, or built now),
    define.xml (SDTMIG 3.4) and define.html.

    Raises:
        FieldErrors: what define.xml or SAS transport v5 cannot hold, all at once, before
            any file is written.
    """
    built = list(datasets) if datasets is not None else sdtm_datasets(source)
    return _write("sdtm", source, built, out, format, ALWAYS, SDTM_STANDARD, progress)


@cycle_collection_paused()  # deriving ADaM from every SDTM record (gc_pause.py)
def write_adam(
    source: SdtmSource, out: Path, *, format: Format,
    sdtm: Sequence[Dataset] | None = None, progress: Progress | None = None,
) -> Package:  # fmt: skip
    """The ADaM package of ``source`` in ``out``, derived from its SDTM datasets (``sdtm``,
    or built now, in memory: nothing of SDTM is written), with define.xml (ADaMIG 1.3)."""
    domains = list(sdtm) if sdtm is not None else sdtm_datasets(source)
    analysis = adam_datasets(source.study, {d.name: d for d in domains})
    return _write("adam", source, analysis, out, format, ADAM_ALWAYS, ADAM_STANDARD, progress)


@cycle_collection_paused()  # the columns and frames of every dataset written (gc_pause.py)
def _write(
    kind: Kind, source: SdtmSource, datasets: list[Dataset], out: Path, format: Format,
    always: frozenset[str], standard: str, progress: Progress | None,
) -> Package:  # fmt: skip
    kept = [d for d in datasets if d.rows or d.name in always]
    # define.xml first: a document that cannot be built or breaks the schema stops the
    # export before a dataset is written (FieldErrors naming dataset and variable)
    document = build_define(
        kept, study=source.study, standard=standard, leaf_suffix=f".{format}",
        created=source.created,
    )  # fmt: skip
    xml = to_xml(document)
    validate_define(xml, where=str(out / "define.xml"))
    written, _ = write_package(
        kept, out, format=format, source=source, progress=progress, always=always
    )
    define = out / "define.xml"
    define.write_text(xml, encoding="utf-8")
    html = write_html(define, out / "define.html")
    skipped = [d.name for d in datasets if not (d.rows or d.name in always)]
    return Package(kind, out, format, tuple(written), tuple(skipped), define, html, source.created)


def zipped(package: Package, *, prefix: str = "") -> bytes:
    """The package's files as one zip archive (deflated), each under ``prefix``, every
    entry dated the package's creation (zip dates cannot precede 1980) with fixed
    permissions: the same package gives the same bytes."""
    c = package.created if package.created and package.created.year >= 1980 else None
    stamp = (c.year, c.month, c.day, c.hour, c.minute, c.second) if c else (1980, 1, 1, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package.files:
            entry = zipfile.ZipInfo(f"{prefix}{path.name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16  # rw-r--r--, whatever the folder's umask
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()
