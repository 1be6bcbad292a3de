"""Fixtures for the web app: a fresh SQLite store, the app over it, staff of every role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.store.db import Store, open_store
from trialdesk.web import create_app
from trialdesk.web.app import bundled_studies
from webclient import add_staff


@pytest.fixture(scope="session")
def studies() -> dict[str, object]:
    return dict(bundled_studies())


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'web.db'}")


@pytest.fixture
def app(store: Store, studies: dict[str, object]) -> FastAPI:
    add_staff(store)
    return create_app(store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c
