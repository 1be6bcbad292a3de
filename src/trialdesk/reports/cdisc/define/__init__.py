"""define.xml 2.1 for a set of CDISC datasets, checked against its schema, with define.html.

    write_define(datasets, out_dir, study=study)  # -> out_dir/define.xml (+ define.html)

build.py makes the document (odmlib's define_2_1 model) from the datasets' own metadata
(dataset.py) and the shipped CT subset (terminology/); write.py checks it against the
Define-XML 2.1 XSD and writes it; html.py renders it with CDISC's stylesheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.define.build import (
    DefineStudy,
    StudyLike,
    build_define,
    define_study,
)
from trialdesk.reports.cdisc.define.html import render_html, write_html
from trialdesk.reports.cdisc.define.write import (
    schema_errors,
    to_xml,
    validate_define,
    write_define_xml,
)

__all__ = [
    "DefineStudy",
    "StudyLike",
    "build_define",
    "define_study",
    "render_html",
    "schema_errors",
    "to_xml",
    "validate_define",
    "write_define",
]


def write_define(
    datasets: Sequence[Dataset],
    out_dir: Path,
    *,
    study: DefineStudy | StudyLike,
    standard: str = "SDTMIG 3.4",
    leaf_suffix: str = ".xpt",
    created: datetime | None = None,
) -> Path:
    """Write ``out_dir/define.xml`` (Define-XML 2.1, validated against its schema) and
    ``out_dir/define.html`` beside it; return the define.xml path.

    ``study``: a trialdesk Study (its id and title) or a DefineStudy. ``leaf_suffix``: the
    extension of the dataset files the document points to (".xpt" or ".json")."""
    document = build_define(
        datasets,
        study=define_study(study),
        standard=standard,
        leaf_suffix=leaf_suffix,
        created=created,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = write_define_xml(document, out_dir / "define.xml")
    write_html(path, out_dir / "define.html")
    return path
