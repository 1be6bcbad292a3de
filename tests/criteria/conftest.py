"""Shared by the criteria tests: the default study and its screener."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trialdesk.criteria.screening import Screener
from trialdesk.study.loader import Study, load_study

# tests/ holds fhirbuild.py, the FHIR bundle builders
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="session")
def study() -> Study:
    return load_study()


@pytest.fixture(scope="session")
def screener(study: Study) -> Screener:
    return Screener(study.criteria, study.valuesets, study.id)
