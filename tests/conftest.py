"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_data import RA_PATIENTS, need


@pytest.fixture
def ra_patients() -> Path:
    return need(RA_PATIENTS)
