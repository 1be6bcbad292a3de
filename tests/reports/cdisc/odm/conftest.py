"""A simulated trial's casebooks, read once for the package (5 participants, ~10 s)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from trialdesk.study.loader import Study, load_study, study_folder
from trialdesk.trial.review.odm_extract import study_casebooks
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")


@pytest.fixture(scope="package")
def simulated_books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('odm') / 'trial.db'}")
    try:
        simulate(store, STUDY, participants=5, seed=11, as_of=date(2026, 6, 1))
        with store.read() as session:
            yield study_casebooks(session, STUDY)
    finally:
        store.close()


@pytest.fixture(scope="package")
def small_study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    """The default study's folder with two forms dropped: chemistry (a visit form) and
    concomitant_medications (the one log form)."""
    folder = tmp_path_factory.mktemp("small") / "SMALL"
    shutil.copytree(study_folder("NCT06947746"), folder)
    for dropped in ("chemistry", "concomitant_medications"):
        (folder / "forms" / f"{dropped}.yaml").unlink()
    schedule = folder / "schedule.yaml"
    schedule.write_text(re.sub(r"chemistry, ", "", schedule.read_text(encoding="utf-8")),
                        encoding="utf-8")  # fmt: skip
    return load_study(str(folder))
