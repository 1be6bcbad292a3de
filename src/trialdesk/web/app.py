"""The FastAPI application: wiring only. Routes live in ``rooms/``, one package per room."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from trialdesk.study.loader import Study, bundled_study_ids, load_study
from trialdesk.trial.store.db import Store
from trialdesk.web.access import check_every_route_declares_access
from trialdesk.web.deps import load_user
from trialdesk.web.early_access import SignInFirst
from trialdesk.web.errors import UnexpectedErrors, install_handlers
from trialdesk.web.headers import SecurityHeaders
from trialdesk.web.locale import ReaderLocale
from trialdesk.web.openapi_docs import DESCRIPTION, TAGS
from trialdesk.web.page_cache import PageCache
from trialdesk.web.pages import HERE
from trialdesk.web.rooms import ROUTERS
from trialdesk.web.rooms.dashboard.api_docs import ASSETS_URL, swagger_ui_files
from trialdesk.web.throttle import (
    ClientThrottle,
    HashSlots,
    PublicLimits,
    RefuseThrottled,
    Tarpit,
)
from trialdesk.web.too_large import ShapedTooLarge

__all__ = ["create_app", "bundled_studies"]

# Forms and JSON bodies are small; upload routes set their own, larger limit.
MAX_BODY_BYTES = 1024 * 1024


def bundled_studies() -> dict[str, Study]:
    return {sid: load_study(sid) for sid in bundled_study_ids()}


class _App(FastAPI):
    """FastAPI, with its plain-text 413 answered in the app's error shape (too_large.py)."""

    def build_middleware_stack(self) -> ASGIApp:
        return ShapedTooLarge(super().build_middleware_stack())


def create_app(
    store: Store,
    *,
    studies: Mapping[str, Study] | None = None,
    secret_key: bytes | None = None,
    secure_cookies: bool = False,
) -> FastAPI:
    """The application over ``store``.

    ``secret_key`` signs CSRF tokens; a random one per process when not given (forms open
    across a restart must then be reloaded). ``secure_cookies`` marks every cookie Secure;
    without it, a cookie is Secure when its request came over HTTPS (as a trusted proxy
    reports it: serve.py).
    """
    app = _App(
        title="trialdesk",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,  # each tag described (openapi_docs.py)
        dependencies=[Depends(load_user)],
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.store = store
    app.state.studies = dict(studies) if studies is not None else bundled_studies()
    app.state.pages = {}  # study id → TrialPage, built on first use
    app.state.page_cache = {}  # anonymous public pages, rendered once
    app.state.staff_pages = PageCache()  # staff pages, kept until the next audited write
    app.state.secret_key = secret_key or secrets.token_bytes(32)
    app.state.secure_cookies = secure_cookies
    app.state.sign_in_throttle = ClientThrottle()  # per client (throttle.py)
    app.state.hash_slots = HashSlots()  # per process: Argon2 memory bounded
    app.state.tarpit = Tarpit()  # a refused sign-in answered after a pause
    app.state.public_limits = PublicLimits.from_env()  # anonymous self-checks and leads
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    swagger_ui = swagger_ui_files()
    if swagger_ui is not None:  # the staff API docs' Swagger UI, served from here (D28)
        app.mount(ASSETS_URL, StaticFiles(directory=swagger_ui), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(UnexpectedErrors)  # innermost: answers and logs what nothing else did
    app.add_middleware(SignInFirst, routers=ROUTERS)
    app.add_middleware(RefuseThrottled)  # a sign-in flood refused before its form is read
    app.add_middleware(SecurityHeaders)
    # outermost: every answer, refusals included, in the reader's language
    app.add_middleware(ReaderLocale, secure_cookies=secure_cookies)
    check_every_route_declares_access(ROUTERS)
    return app
