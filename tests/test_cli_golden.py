"""`trialdesk screen --format json` on the example patients, byte for byte: golden files
under tests/data/golden, one per target-knee setting (right, left, not given), taken
before the engine handled study dates and parameters generically.

A change to any evidence, status or key shows up here as a diff a reviewer can read.
Regenerate with TRIALDESK_UPDATE_GOLDEN=1 only after checking the new output by eye.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
DATES = ["--screening-date", "2026-03-02", "--baseline-date", "2026-03-16"]


@pytest.mark.parametrize("knee", ["right", "left", "none"])
def test_screening_the_examples_gives_the_golden_json(knee: str) -> None:
    side = [] if knee == "none" else ["--target-knee", knee]
    result = CliRunner().invoke(
        app, ["screen", str(ROOT / "examples"), *DATES, *side, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    path = GOLDEN / f"screen-examples-{knee}.json"
    if os.environ.get("TRIALDESK_UPDATE_GOLDEN"):
        path.write_bytes(result.stdout_bytes)
    assert result.stdout_bytes == path.read_bytes(), f"screening output changed: see {path}"
