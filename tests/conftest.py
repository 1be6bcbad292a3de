"""Shared fixtures, and the Hypothesis profile CI uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from shared_data import RA_PATIENTS, need

# CI replays the same examples every run (a red build must mean a change, not a new draw);
# new examples are explored locally, where failures are kept in .hypothesis/ and replayed.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def ra_patients() -> Path:
    return need(RA_PATIENTS)
