"""Where the real external data lives (../shared/data), and a skip when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RA_PATIENTS = SHARED / "synthea-fhir-r4" / "rheumatoid_arthritis_patients"
SYNTHEA_617 = SHARED / "synthea-fhir-r4" / "R4_SYNTHEA_617_bundles.tar.xz"
CTGOV_RECORDS = SHARED / "ctgov-v2-records"


def need(path: Path) -> Path:
    """The path, or skip the test saying which external data is absent."""
    if not path.exists():
        pytest.skip(f"external data absent: {path} (see ../shared/data/SOURCES.md)")
    return path
