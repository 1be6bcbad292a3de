"""Fixtures shared by the study tests: the bundled default record and the real records."""

from __future__ import annotations

from pathlib import Path

import pytest

import trialdesk.study

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
RECORDS_DIR = SHARED / "data" / "ctgov-v2-records"
RECORD_FILES = sorted(RECORDS_DIR.glob("NCT*.json")) if RECORDS_DIR.is_dir() else []
PACKAGE_RECORD = Path(trialdesk.study.__file__).parent / "studies" / "NCT06947746" / "ctgov.json"
SHARED_RECORD = SHARED / "studies" / "NCT06947746" / "ctgov.json"
SEED_PAGE = SHARED / "seed" / "NCT06947746-trial-page.txt"
_RECORD_PARAMS: list[Path | None] = [*RECORD_FILES] or [None]


@pytest.fixture
def bundled_record_path() -> Path:
    """The default study's record: the package copy when it exists, else the shared one."""
    for path in (PACKAGE_RECORD, SHARED_RECORD):
        if path.is_file():
            return path
    pytest.skip(f"no NCT06947746 record at {PACKAGE_RECORD} or {SHARED_RECORD}")


@pytest.fixture(
    params=_RECORD_PARAMS,
    ids=[p.name for p in RECORD_FILES] or ["no-records"],
)
def ctgov_record_file(request: pytest.FixtureRequest) -> Path:
    """Each real ClinicalTrials.gov API v2 record in ../shared/data/ctgov-v2-records."""
    if request.param is None:
        pytest.skip(f"no ClinicalTrials.gov records at {RECORDS_DIR}")
    path = request.param
    assert isinstance(path, Path)
    return path
