"""Hand-made casebooks (the shape trial/review/casebook.py ``casebooks`` gives)."""

from __future__ import annotations

from typing import Any

from trialdesk.study.loader import load_study

STUDY = load_study("NCT06947746")
WOMAC_ITEMS = (
    [f"pain_{i}" for i in range(1, 6)]
    + ["stiffness_1", "stiffness_2"]
    + [f"function_{i}" for i in range(1, 18)]
)


def book(
    forms: dict[str, dict[str, Any]],
    *,
    participant: str = "01-001",
    visits: dict[str, str] | None = None,
    day1: str | None = "2026-03-10",
    knee: str = "left",
) -> dict[str, Any]:
    visits = visits if visits is not None else {"SCR": "2026-03-01", "D1": "2026-03-10",
                                                "W1": "2026-03-17", "W4": "2026-04-07"}  # fmt: skip
    dates = {"screening": "2026-03-01"}
    if day1:
        dates |= {"day1": day1, "baseline": day1}
    return {
        "participant": participant,
        "study": STUDY.id,
        "dates": dates,
        "parameters": {"target_knee": knee},
        "withdrawn": None,
        "visits": {k: {"date": v, "missed_reason": None} for k, v in visits.items()},
        "forms": forms,
        "adverse_events": {},
        "disposition": None,
    }


def form(
    values: dict[str, Any],
    derived: dict[str, Any] | None = None,
    entered: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "status": "complete",
        "values": values,
        "entered": entered or {},
        "derived": {k: {"value": v, "version": "1"} for k, v in (derived or {}).items()},
        **extra,
    }
