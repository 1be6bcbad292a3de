"""The screening pages' cost with many candidates in screening; prints figures.

    .venv/bin/python benchmarks/screening_pages.py [N ...]      (N defaults to 50 and 200)

N copies of examples/01 (each a distinct person) are imported into a temporary SQLite
store, dated and consented through the services; the first is signed by the investigator
(the six judgment criteria) and then gets 15 more facts (each lapses or re-checks a
signature). Then, each with the number of SQL statements it ran and its milliseconds:

* ``checklist cold`` / ``warm``: the signed candidate's checklist, with the process's
  screening caches emptied first (cold), then again (warm);
* ``queue cold`` / ``warm``: the study's signature queue (trial/review/signature_queue.py);
* web pages through the app, as the investigator: the staff home (``/staff``, which
  shows the queue's count), the candidate list's first page and the list filtered by
  verdict, each the first time and again with nothing written in between.

The figures printed: one line each, then every figure as one JSON line, last.
Nothing here asserts: figures change with the machine, so tests never time anything.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))  # the tests' fixture makers

from trial.helpers import NOW  # noqa: E402
from trial.screening_helpers import (  # noqa: E402
    STUDY,
    TODAY,
    date_and_consent,
    ex01_copies,
    import_candidates,
    prepare_study,
    sign_all,
)
from trialdesk.trial import accounts  # noqa: E402
from trialdesk.trial.accounts.roles import Role  # noqa: E402
from trialdesk.trial.review.signature_queue import signature_queue  # noqa: E402
from trialdesk.trial.screening import candidates as cands  # noqa: E402
from trialdesk.trial.screening import checklist, facts  # noqa: E402
from trialdesk.trial.screening.fact_entry import FactEntry  # noqa: E402
from trialdesk.trial.store.db import Store, open_store  # noqa: E402
from trialdesk.web import create_app  # noqa: E402

DEFAULT_N = (50, 200)
STAFF_PASSWORD = "benchmark password 1"


def measured(store: Store, run: Callable[[], object]) -> dict[str, Any]:
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        run()
        ms = 1000 * (time.perf_counter() - started)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return {"ms": round(ms, 1), "statements": statements[0]}


def forget_screenings() -> None:
    """The process's screening caches emptied: what a restarted server starts with."""
    for cache in ("_SCREENED", "_PARSED", "_ENTERED"):
        getattr(checklist, cache).clear()


def fifteen_facts(store: Store, cid: int) -> None:
    for i in range(15):
        entry = FactEntry(
            concept="alt", on=TODAY - timedelta(days=i + 1), value=str(20 + i), unit="U/L",
            source_document=f"lab report {i}",
        )  # fmt: skip
        with store.transaction() as session:
            facts.add_fact(
                session, actor="coord", study=STUDY, candidate_id=cid, entry=entry,
                now=NOW + timedelta(hours=i + 1),
            )  # fmt: skip


def signed_in(app: Any, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"username": username, "password": STAFF_PASSWORD, "next": "/staff",
              "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return client


def run(n: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"candidates": n}
    with tempfile.TemporaryDirectory(prefix="trialdesk-screening-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'trial.db'}")
        try:
            investigator = prepare_study(store)
            with store.transaction() as session:
                accounts.create_user(
                    session, actor="system", username="pi", password=STAFF_PASSWORD,
                    role=Role.INVESTIGATOR, reason="benchmark",
                )  # fmt: skip
            ids = import_candidates(store, ex01_copies(n))
            for cid in ids:
                date_and_consent(store, cid)
            sign_all(store, investigator, ids[0])
            fifteen_facts(store, ids[0])

            def one_checklist() -> None:
                with store.read() as session:
                    candidate = cands.candidate_or_404(session, ids[0])
                    checklist.build_checklist(session, STUDY, candidate, TODAY)

            def queue() -> None:
                with store.read() as session:
                    signature_queue(session, STUDY, TODAY)

            forget_screenings()
            figures["checklist cold"] = measured(store, one_checklist)
            figures["checklist warm"] = measured(store, one_checklist)
            forget_screenings()
            figures["queue cold"] = measured(store, queue)
            figures["queue warm"] = measured(store, queue)

            app = create_app(store, studies={STUDY.id: STUDY}, secret_key=b"k" * 32)
            client = signed_in(app, "pi")
            forget_screenings()
            for name, path in (
                ("/staff", "/staff"),
                ("list page 1", "/staff/candidates"),
                ("list by verdict", "/staff/candidates?verdict=incomplete"),
            ):
                for when in ("first", "again"):
                    got: list[int] = []

                    def get(path: str = path, got: list[int] = got) -> None:
                        got.append(client.get(path).status_code)

                    figures[f"{name} {when}"] = measured(store, get)
                    figures[f"{name} {when}"]["status"] = got[0]
        finally:
            store.close()
    return figures


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(DEFAULT_N)
    every = []
    for n in sizes:
        print(f"{n} candidates in screening ...", flush=True)
        figures = run(n)
        for name, value in figures.items():
            if isinstance(value, dict):
                extra = f" (HTTP {value['status']})" if "status" in value else ""
                print(f"  {name}: {value['ms']} ms, {value['statements']} statements{extra}")
        every.append(figures)
    print(json.dumps({"machine": platform.machine(), "python": platform.python_version(),
                      "runs": every}))  # fmt: skip


if __name__ == "__main__":
    main()
