"""The week-24 report's PDF and JSON name every participant: each download says
Cache-Control: no-store itself (as the exports room's archives do), not only through the
security-headers middleware, and the served response carries it once."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from trialdesk.study.loader import load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store
from trialdesk.web import create_app
from trialdesk.web.headers import SecurityHeaders
from webclient import add_staff, client_as

DOWNLOADS = ["/staff/report/week24.json", "/staff/report/week24.pdf"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory, studies: dict[str, object]) -> FastAPI:
    folder = tmp_path_factory.mktemp("week24-no-store")
    store = open_store(f"sqlite:///{folder / 'trial.db'}")
    simulate(store, load_study("NCT06947746"), participants=2, seed=5, as_of=date(2026, 9, 30))
    add_staff(store)
    return create_app(store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", DOWNLOADS)
def test_the_served_download_is_never_stored(simulated: FastAPI, path: str) -> None:
    answer = client_as(simulated, "monitor").get(path)
    assert answer.status_code == 200
    assert answer.headers.get_list("cache-control") == ["no-store"]


def test_each_download_sets_no_store_itself(simulated: FastAPI) -> None:
    kept = list(simulated.user_middleware)
    simulated.user_middleware = [m for m in kept if m.cls is not SecurityHeaders]  # type: ignore[comparison-overlap]
    simulated.middleware_stack = None  # rebuilt without the security headers on the next call
    try:
        client = client_as(simulated, "monitor")
        for path in DOWNLOADS:
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers.get("cache-control") == "no-store", path
    finally:
        simulated.user_middleware = kept
        simulated.middleware_stack = None
