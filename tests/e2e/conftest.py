"""Browser tests: the real app under uvicorn, driven by Debian's chromium through Playwright.

One server per session, in a background thread, on a free port, over a fresh SQLite store
with a coordinator, an admin and an account kept for the lockout test. The root logger is
at DEBUG and every record that reaches it (uvicorn's access and error logs included) is
kept, so a test can prove that personal data never reaches the logs of a server configured
as `trialdesk serve` runs it (tests/web/test_errors_and_privacy.py goes further: every
logger at DEBUG). Without /usr/bin/chromium (a fresh clone) every test here is skipped
with that reason; CI installs chromium.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web import create_app
from trialdesk.web.app import bundled_studies

from .flows import ADMIN, COORDINATOR, LOCKABLE, PASSWORD

# Debian's chromium; TRIALDESK_CHROMIUM points elsewhere (or at nothing, to see the skip).
CHROMIUM = Path(os.environ.get("TRIALDESK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: a browser test (needs /usr/bin/chromium)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"no chromium at {CHROMIUM}"))


class LogKeeper(logging.Handler):
    """Every record of every logger, formatted as it would be written."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Server:
    base_url: str
    store: Store
    logs: LogKeeper

    def url(self, path: str) -> str:
        return self.base_url + path


def _add_staff(store: Store) -> None:
    with store.transaction() as session:
        for name, role in (
            (COORDINATOR, Role.COORDINATOR),
            (ADMIN, Role.ADMIN),
            (LOCKABLE, Role.COORDINATOR),
        ):
            accounts.create_user(
                session,
                actor="system",
                username=name,
                password=PASSWORD,
                role=role,
                reason="e2e fixture",
            )


@contextmanager
def serve(store: Store) -> Iterator[str]:
    """The app over ``store`` under uvicorn in a background thread; yields its base URL.

    Used by the session's ``server`` and by tests that need a store of their own (one
    whose enrolment count no other test moves, e.g. tests/e2e/test_screening.py).
    """
    import uvicorn

    app = create_app(store, studies=bundled_studies(), secret_key=b"e" * 32)
    # log_config=None: uvicorn configures no handlers, so its records (the access log
    # too) propagate to the root logger and the keeper.
    config = uvicorn.Config(
        app, log_config=None, log_level="debug", access_log=True, lifespan="off"
    )
    srv = uvicorn.Server(config)
    # A socket that listens before the thread starts: the first request simply waits in
    # the backlog until the server accepts it, so no polling and no sleep.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pytest.importorskip("uvicorn")
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'trial.db'}")
    _add_staff(store)

    logs = LogKeeper()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(logs)
    root.setLevel(logging.DEBUG)
    try:
        with serve(store) as base_url:
            yield Server(base_url, store, logs)
    finally:
        store.close()
        root.removeHandler(logs)
        root.setLevel(old_level)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies), its base URL the server's."""
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
