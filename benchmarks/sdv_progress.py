"""The study-wide source data verification progress on a simulated trial; prints figures.

    .venv/bin/python benchmarks/sdv_progress.py [N]      (N defaults to 50)

``trial simulate`` of N participants (the same ``simulate()``, into a temporary SQLite
store and a copy of the study folder with N places: benchmarks/simulate.py says why a
copy), then ``review.sdv.study_progress`` (what the SDV page, the API and the database
lock's check read), each time the best of three reads after a warm-up, with the number
of SQL statements it ran:

* with nothing verified;
* after the monitor verified every required item of every participant (through
  ``sdv.verify``, one act per participant, audited as on the page), so that every
  required item's content is hashed and compared with its verification.

The figures printed: participants, form records, required items, milliseconds, microseconds
per required item and statements; then every figure as one JSON line, last. The number of
statements must not grow with N (no statement per participant or form).

Nothing here asserts: figures change with the machine, so tests never time anything.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulate import AS_OF, SEED, with_target  # benchmarks/simulate.py, beside this file
from sqlalchemy import event, func, select

from trialdesk.study.loader import Study, load_study
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.review import sdv
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import Store, open_store

STUDY = "NCT06947746"
DEFAULT_N = 50
READS = 3


def timed(store: Store, study: Study) -> dict[str, Any]:
    """The best of ``READS`` reads of the study's progress, after a warm-up read."""
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    best = float("inf")
    event.listen(store.engine, "before_cursor_execute", count)
    try:
        for _ in range(READS + 1):
            statements[0] = 0
            started = time.perf_counter()
            with store.read() as session:
                overall, each = sdv.study_progress(session, study)
            best = min(best, time.perf_counter() - started)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    required = overall.critical.required + overall.sampled.required
    verified = overall.critical.verified + overall.sampled.verified
    return {
        "participants": len(each),
        "required": required,
        "verified": verified,
        "met": overall.met,
        "ms": round(1000 * best, 1),
        "us_per_required_item": round(1e6 * best / max(required, 1), 1),
        "statements": statements[0],
    }


def verify_everything(store: Store, study: Study) -> None:
    with store.read() as session:
        _, each = sdv.study_progress(session, study)
    for participant, _ in each:
        with store.read() as session:
            _, states = sdv.participant_states(session, study, participant.id)
        shown = [sdv.Shown(s.target.key, s.target.digest) for s in states if s.target.need]
        if not shown:
            continue
        with store.transaction() as session:
            sdv.verify(
                session, actor="monitor", role=Role.MONITOR, study=study,
                enrolment_id=participant.id, targets=shown, now=datetime.now(UTC),
            )  # fmt: skip


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_N
    bundled = load_study(STUDY)
    with tempfile.TemporaryDirectory(prefix="trialdesk-sdv-") as tmp:
        folder = Path(tmp)
        study = with_target(bundled.folder, n, folder)
        store = open_store(f"sqlite:///{folder / 'trial.db'}")
        try:
            print(f"simulating {n} participants ...", flush=True)
            started = time.perf_counter()
            simulate(store, study, participants=n, seed=SEED, as_of=AS_OF)
            simulated = time.perf_counter() - started
            with store.read() as session:
                forms = session.scalar(select(func.count()).select_from(FormRecord)) or 0
            none = timed(store, study)
            started = time.perf_counter()
            verify_everything(store, study)
            verifying = time.perf_counter() - started
            every = timed(store, study)
        finally:
            store.close()
    for name, run in (("nothing verified", none), ("everything verified", every)):
        print(
            f"{name}: {run['participants']} participants, {forms} forms, {run['required']} "
            f"required items ({run['verified']} verified, plan met: {run['met']}): "
            f"{run['ms']} ms ({run['us_per_required_item']} us per required item), "
            f"{run['statements']} statements"
        )
    figures = {
        "n": n,
        "forms": forms,
        "simulate_s": round(simulated, 1),
        "verify_all_s": round(verifying, 1),
        "nothing_verified": none,
        "everything_verified": every,
        "machine": platform.platform(),
        "python": platform.python_version(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
