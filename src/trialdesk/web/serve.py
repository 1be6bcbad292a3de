"""``trialdesk serve``: open (and migrate) the trial store, then run the app with uvicorn."""

from __future__ import annotations

import os

import uvicorn
from rich.console import Console

from trialdesk.trial import accounts
from trialdesk.trial.db import Store, database_url, open_store
from trialdesk.web.app import create_app
from trialdesk.web.identity import now

__all__ = ["serve", "setup_link"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def setup_link(store: Store, base: str) -> str | None:
    """A one-time link that creates the first admin, when the store has none."""
    with store.transaction() as session:
        if not accounts.needs_setup(session):
            return None
        return f"{base}/setup/{accounts.create_setup_token(session, now())}"


def serve(
    host: str, port: int, url: str | None, console: Console, secure_cookies: bool | None = None
) -> None:
    store = open_store(database_url(url))
    shown = store.engine.url.render_as_string(hide_password=True)
    console.print(f"trial store: [bold]{shown}[/] (migrated)")
    link = setup_link(store, f"http://{host}:{port}")
    if link:
        console.print(
            "No administrator yet. Open this one-time link within 24 hours to create one:"
        )
        console.print(f"  [bold]{link}[/]", soft_wrap=True)
    secret = os.environ.get("TRIALDESK_SECRET_KEY")
    app = create_app(
        store,
        secret_key=secret.encode() if secret else None,
        # Behind HTTPS (any non-loopback deployment) cookies must be Secure.
        secure_cookies=host not in LOOPBACK if secure_cookies is None else secure_cookies,
    )
    console.print(f"trialdesk at [bold]http://{host}:{port}[/]  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
