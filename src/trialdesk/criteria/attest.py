"""Read investigator decisions on judgment criteria from a CSV, YAML or JSON file.

Each decision: ``criterion`` (id), ``decision`` (met / not_met), ``reason``, ``by`` (who)
and ``date``; ``patient`` optionally limits it to one patient. Every problem names the
file, the row and the field; nothing is applied unless the whole file is sound.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from trialdesk.criteria.model import CriteriaSet
from trialdesk.criteria.screening import Attestation, Status
from trialdesk.errors import InputError

FIELDS = ("criterion", "decision", "reason", "by", "date")


def _rows(path: Path) -> list[dict[str, Any]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the attestation file: {exc.strerror}", file=file) from None
    if path.suffix.lower() == ".csv":
        return list(csv.DictReader(text.splitlines()))
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"not valid {path.suffix.lstrip('.').upper()}: {exc}", file=file) from None
    if isinstance(data, dict) and "attestations" in data:
        data = data["attestations"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError("expected a list of decisions", file=file)
    return data


def load_attestations(path: Path, criteria: CriteriaSet) -> list[Attestation]:
    file = str(path)
    out: list[Attestation] = []
    for number, row in enumerate(_rows(path), start=1):
        where = f"decision {number}"
        for key in FIELDS:
            value = row.get(key)
            if value is None or str(value).strip() == "":
                raise InputError(f"{where}: '{key}' is missing", file=file, field=key)
        cid = str(row["criterion"]).strip()
        criterion = criteria.get(cid)
        if criterion is None:
            raise InputError(
                f"{where}: no criterion {cid} in this study", file=file, field="criterion"
            )
        if criterion.judgment is None and criterion.review is None:
            raise InputError(
                f"{where}: {cid} is decided from data; only judgment and review criteria "
                "take an investigator's decision",
                file=file,
                field="criterion",
            )
        decision = str(row["decision"]).strip().lower().replace(" ", "_").replace("-", "_")
        if decision not in (Status.MET.value, Status.NOT_MET.value):
            raise InputError(
                f"{where}: decision must be met or not_met", file=file, field="decision"
            )
        raw_date = row["date"]
        try:
            when = (
                raw_date
                if isinstance(raw_date, date)
                else date.fromisoformat(str(raw_date).strip())
            )
        except ValueError:
            raise InputError(
                f"{where}: '{raw_date}' is not a date (YYYY-MM-DD)", file=file, field="date"
            ) from None
        patient = row.get("patient")
        out.append(
            Attestation(
                criterion=cid,
                decision=Status(decision),
                reason=str(row["reason"]).strip(),
                by=str(row["by"]).strip(),
                on=when,
                patient=str(patient).strip() if patient not in (None, "") else None,
            )
        )
    return out
