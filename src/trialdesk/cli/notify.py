"""``trialdesk notify run``: deliver the alert outbox by e-mail, once (for cron and the
tests) or until stopped. ``trialdesk serve`` runs the same worker beside the web app; the
SMTP server comes from the environment (``TRIALDESK_SMTP_*``, docs/web.md).

As in the main CLI, a TrialdeskError is one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated

import typer
from rich.console import Console

from trialdesk.errors import TrialdeskError
from trialdesk.trial import tables as _tables  # noqa: F401 - the tables the outbox's keys name
from trialdesk.trial.notify.smtp import smtp_settings
from trialdesk.trial.notify.worker import DeliveryThread, Worker
from trialdesk.trial.store.db import open_store

__all__ = ["notify_app"]

notify_app = typer.Typer(help="Deliver the safety alerts of the outbox.", no_args_is_help=True)

out = Console()
err = Console(stderr=True)


@notify_app.callback()
def _notify() -> None:
    """Deliver the safety alerts of the outbox."""


@notify_app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due now, then stop.")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=1.0, help="Seconds between runs, without --once.")
    ] = 10.0,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL (default $TRIALDESK_DATABASE_URL, else sqlite:///./trialdesk.db).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Send the due alerts over SMTP (retrying failed ones when their back-off is over)."""
    try:
        settings = smtp_settings(os.environ)
        store = open_store(database_url, migrate=False)
    except TrialdeskError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        if settings is None:
            err.print("SMTP not configured (TRIALDESK_SMTP_HOST): alerts stay undelivered")
        worker = Worker(store, settings)
        if once:
            done = worker.run_once()
            out.print(f"sent {done.sent}, failed {done.failed}, undelivered {done.undelivered}")
            return
        thread = DeliveryThread(worker, interval).start()
        out.print("delivering the outbox (Ctrl+C stops it)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            thread.stop()
    finally:
        store.close()
