"""Start a study folder from a ClinicalTrials.gov API v2 record.

The folder holds the record as downloaded (``ctgov.json``), the registry's criteria split
into numbered items with no rule yet (``criteria.yaml``), the default date anchors and no
per-participant parameters (``participant.yaml``) and a README saying what is there and
what to do next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trialdesk.errors import StudyError
from trialdesk.study.ctgov import CtgovRecord, load_ctgov_record
from trialdesk.study.participant import DEFAULT_FILE, FILE
from trialdesk.study.split import EligibilitySplit, split_eligibility

__all__ = ["NOT_YET_ENCODED", "criteria_document", "dump_criteria_yaml", "new_study_folder"]

NOT_YET_ENCODED = "not yet encoded"


def new_study_folder(record_path: Path, folder: Path) -> Path:
    """Create ``folder`` for the study in ``record_path`` and return it.

    ``folder`` may exist if it is an empty directory. The record is validated first, so a
    bad record leaves nothing behind; it is copied byte for byte.
    """
    record = load_ctgov_record(record_path)
    raw = record_path.read_bytes()
    if folder.exists():
        if not folder.is_dir():
            raise StudyError("the study folder path is a file, not a folder", file=str(folder))
        if any(folder.iterdir()):
            raise StudyError(
                "the study folder exists and is not empty; choose a new folder",
                file=str(folder),
            )
    text = record.eligibility_criteria
    split = split_eligibility(text) if text and text.strip() else None

    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ctgov.json").write_bytes(raw)
        (folder / "criteria.yaml").write_text(dump_criteria_yaml(record, split), encoding="utf-8")
        (folder / FILE).write_bytes(DEFAULT_FILE.read_bytes())
        (folder / "README.md").write_text(_readme(record, split), encoding="utf-8")
    except OSError as exc:
        raise StudyError(
            f"cannot write the study folder: {exc.strerror}", file=str(folder)
        ) from exc
    return folder


def criteria_document(record: CtgovRecord, split: EligibilitySplit | None) -> dict[str, Any]:
    """The content of ``criteria.yaml``: the study id and one entry per criterion."""
    criteria: list[dict[str, str]] = []
    for criterion in split.criteria if split else ():
        entry = {"id": criterion.id, "kind": criterion.kind, "text": criterion.text}
        if criterion.heading is not None:
            entry["heading"] = criterion.heading
        entry["judgment"] = NOT_YET_ENCODED
        criteria.append(entry)
    return {"study": record.nct_id, "criteria": criteria}


class _Dumper(yaml.SafeDumper):
    """Multi-line texts (items with sub-items) as literal blocks, so they read as written."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_criteria_yaml(record: CtgovRecord, split: EligibilitySplit | None) -> str:
    header = (
        f"# Eligibility criteria of {record.nct_id}, split from the registry record"
        " (ctgov.json).\n"
        "# Keep `text` verbatim. Replace `judgment: not yet encoded` with `rule:` (an"
        " expression)\n# or `review:` (what the investigator judges). See README.md.\n"
    )
    body = yaml.dump(
        criteria_document(record, split),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100000,
    )
    return header + body


def _readme(record: CtgovRecord, split: EligibilitySplit | None) -> str:
    criteria = split.criteria if split else ()
    n_inc = sum(1 for c in criteria if c.kind == "inclusion")
    n_exc = len(criteria) - n_inc
    lines = [
        f"# {record.nct_id}: {record.title}",
        "",
        "A trialdesk study folder. It holds:",
        "",
        "- `ctgov.json`: the ClinicalTrials.gov API v2 record, exactly as it was given.",
        "- `criteria.yaml`: the registry's eligibility criteria, one entry per criterion,"
        " with its id (`I1`.. inclusion, `E1`.. exclusion, in registry order), kind and"
        " registry text (wrapped lines joined, markdown escapes such as `\\<` removed).",
        "- `participant.yaml`: the dates rules measure windows from (screening, baseline,"
        " consent) and per-participant parameters such as a side of the body (none yet);"
        " adjust it to the protocol.",
        "",
    ]
    if split is None:
        lines += [
            "**Warning: the record has no eligibility criteria text"
            " (`protocolSection.eligibilityModule.eligibilityCriteria`), so `criteria.yaml`"
            " lists no criterion.** Add them by hand from the protocol.",
            "",
        ]
    else:
        lines += [
            f"The registry text was split into {n_inc} inclusion and {n_exc} exclusion"
            " criteria. Check the split against the registry before encoding.",
            "",
        ]
        if split.notes:
            lines += ["Registry text that is not a criterion (headings, intros, remarks):", ""]
            lines += [f"- {note}" for note in split.notes]
            lines += [""]
    lines += [
        "## Encoding a criterion",
        "",
        "No criterion is encoded yet: each one says `judgment: not yet encoded`."
        " To encode one, replace that line with either",
        "",
        "- `rule: <expression>`, an expression in the criteria language a clinician can"
        " read next to the text, e.g. `rule: highest_x_uln(alt, within=screening_period) >= 2`;"
        " or",
        "- `review: <question>`, when the criterion needs an investigator's judgment:"
        " say what is to be judged; screening shows the facts that bear on it.",
        "",
        "Keep `id`, `kind` and `text` as they are, so each rule stays next to the registry"
        " text it encodes. Anything the registry does not say (a threshold, a time window)"
        " is a protocol assumption: mark it as such (a YAML comment next to the rule).",
        "",
    ]
    return "\n".join(lines)
