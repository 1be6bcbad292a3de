"""``trialdesk serve``: open (and migrate) the trial store, then run the app with uvicorn.

With ``--workers N`` uvicorn starts N processes, each building the app from the
environment (:func:`app_from_environment`): the store URL, whether cookies are Secure,
and one CSRF signing secret shared by all (random for this run unless
``TRIALDESK_SECRET_KEY`` is set), so a form rendered by one worker posts to another.

Requests come straight from browsers, or through a reverse proxy that ends TLS. Only the
proxies named by ``forwarded_allow_ips`` (``TRIALDESK_FORWARDED_ALLOW_IPS``; loopback by
default) are believed when they say, in ``X-Forwarded-For`` and ``X-Forwarded-Proto``,
who the client is and that the request came over HTTPS: then cookies are Secure
(csrf.set_cookie) and sign-in throttling counts the real client (throttle.py). ``none``
believes no proxy: every request is taken as it arrived.

Beside the web workers, this process runs one deliverer of the alert outbox (a thread:
trial/notify/worker.py) over the SMTP server the environment names (``TRIALDESK_SMTP_*``);
with none, alerts stay visibly undelivered. Bad SMTP settings stop the start.

The store's audit key (trial/store/audit_key.py) is made on the first start, and where it
lives is printed; with ``--anchor-file`` a thread appends the signed audit head to that
file whenever it has moved (trial/store/anchors.py). docs/audit.md.
"""

from __future__ import annotations

import gc
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from rich.console import Console
from rich.markup import escape

from trialdesk.errors import InputError
from trialdesk.study.loader import Study, load_study
from trialdesk.trial import accounts
from trialdesk.trial.notify.smtp import smtp_settings
from trialdesk.trial.notify.worker import DeliveryThread, Worker
from trialdesk.trial.store.anchors import AnchorWriter
from trialdesk.trial.store.audit_key import KEEP_IT, ensure_key
from trialdesk.trial.store.db import Store, database_url, open_store
from trialdesk.web.app import bundled_studies, create_app
from trialdesk.web.deps import now
from trialdesk.web.serve_ready import ReadyWatch, refuse_busy_port
from trialdesk.web.warm import warm_up

__all__ = ["app_from_environment", "serve", "served_studies", "setup_link"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECRET_ENV = "TRIALDESK_SECRET_KEY"
SECURE_ENV = "TRIALDESK_SECURE_COOKIES"
URL_ENV = "TRIALDESK_DATABASE_URL"
STUDIES_ENV = "TRIALDESK_STUDIES"  # study folders served beside the bundled ones
PROXIES_ENV = "TRIALDESK_FORWARDED_ALLOW_IPS"  # proxies whose X-Forwarded-* are believed
TRUSTED_PROXIES = "127.0.0.1,::1"  # a proxy on this machine only, unless told otherwise
NO_PROXY = ("none", "")  # --forwarded-allow-ips none: no X-Forwarded-* header is believed


def served_studies(folders: Sequence[str]) -> dict[str, Study]:
    """The bundled studies, and the study folders given (one with a bundled study's id
    replaces it: a site's own copy of the protocol)."""
    studies = bundled_studies()
    given: dict[str, str] = {}
    for folder in folders:
        study = load_study(folder)
        if study.id in given:
            raise InputError(
                f"{folder} and {given[study.id]} are both {study.id}: serve one of them",
                field="--study",
            )
        given[study.id] = folder
        studies[study.id] = study
    return studies


def setup_link(store: Store, base: str) -> str | None:
    """A one-time link that creates the first admin, when the store has none."""
    with store.transaction() as session:
        if not accounts.needs_setup(session):
            return None
        return f"{base}/setup/{accounts.create_setup_token(session, now())}"


def app_from_environment() -> FastAPI:
    """The app as one uvicorn worker builds it (the store is already migrated)."""
    folders = [f for f in os.environ.get(STUDIES_ENV, "").split(os.pathsep) if f]
    app = create_app(
        open_store(os.environ[URL_ENV], migrate=False),
        studies=served_studies(folders),
        secret_key=os.environ[SECRET_ENV].encode(),
        secure_cookies=os.environ.get(SECURE_ENV) == "1",
    )
    warm_up(app)  # before the first connection, not during it
    # The studies, value sets and templates live as long as the process: moving them out of
    # the collector's reach keeps full collections from pausing requests for tens of ms.
    gc.collect()
    gc.freeze()
    return app


def audit_key(store: Store, console: Console) -> None:
    """Make the store's audit key on the first start (before any entry of this start), and
    say where it is."""
    key, made = ensure_key(store.engine, store.url)
    where = escape(str(key.path) if key.path else key.source)
    if made:
        console.print(
            f"audit key created: [bold]{where}[/] (mode 0600, fingerprint {key.fingerprint}); "
            f"audit entries from row {key.keyed_from} on are keyed with it.",
            soft_wrap=True,
        )
        console.print(KEEP_IT, markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(
            f"audit key: {where} (fingerprint {key.fingerprint}, keying entries from row "
            f"{key.keyed_from})",
            soft_wrap=True,
        )
    if key.readable_by_others:
        console.print(
            f"[yellow]warning:[/] other users can read the audit key file {where}: chmod 600 it",
            soft_wrap=True,
        )


def serve(
    host: str,
    port: int,
    url: str | None,
    console: Console,
    secure_cookies: bool | None = None,
    workers: int = 1,
    study_folders: Sequence[str] = (),
    forwarded_allow_ips: str | None = None,
    anchor_file: Path | None = None,
    anchor_every: float = 60.0,
) -> None:
    url = database_url(url)
    proxies = (forwarded_allow_ips or os.environ.get(PROXIES_ENV) or TRUSTED_PROXIES).strip()
    believe_proxies = proxies.lower() not in NO_PROXY
    served = served_studies(study_folders)  # a folder that does not load stops here
    refuse_busy_port(host, port)  # so does a port another server holds
    smtp = smtp_settings(os.environ)  # so do bad SMTP settings, each named
    console.print(f"studies: {', '.join(sorted(served))}")
    store = open_store(url)
    console.print(f"trial store: [bold]{store.url}[/] (migrated)")
    audit_key(store, console)
    address = f"http://{host}:{port}"
    link = setup_link(store, address)
    store.close()
    # Behind HTTPS (any non-loopback deployment) cookies must be Secure.
    secure = host not in LOOPBACK if secure_cookies is None else secure_cookies
    os.environ[URL_ENV] = url
    os.environ[SECURE_ENV] = "1" if secure else "0"
    os.environ[STUDIES_ENV] = os.pathsep.join(str(Path(f).resolve()) for f in study_folders)
    os.environ.setdefault(SECRET_ENV, secrets.token_urlsafe(32))
    console.print(
        f"safety alerts by e-mail: {smtp.describe()}"
        if smtp is not None
        else "safety alerts: SMTP not configured (TRIALDESK_SMTP_HOST): they stay undelivered"
    )
    # One deliverer per `serve`, whatever the number of web workers (their claims would
    # keep several from sending twice, but one is enough).
    delivery = DeliveryThread(Worker(open_store(url, migrate=False), smtp)).start()
    anchoring = None
    if anchor_file is not None:
        anchoring = AnchorWriter(open_store(url, migrate=False), anchor_file, anchor_every * 60)
        try:
            anchoring.start()
        except InputError:
            delivery.stop()
            delivery.worker.store.close()
            anchoring.store.close()
            raise
        console.print(
            f"audit anchors: appended to {escape(str(anchor_file))} when the log has moved, "
            f"looked at every {anchor_every:g} min",
            soft_wrap=True,
        )
    console.print(
        f"X-Forwarded-For/-Proto believed from: {proxies}"
        if believe_proxies
        else "X-Forwarded-For/-Proto: believed from no proxy"
    )
    console.print(f"starting on {address} …")

    def announce() -> None:
        # only now: a link opened before the port answers fails (walkthrough D18)
        console.print(f"trialdesk ready at [bold]{address}[/]  (Ctrl+C stops it)")
        if link:
            console.print(
                "No administrator yet. Open this one-time link within 24 hours to create one:"
            )
            console.print(f"  [bold]{link}[/]", soft_wrap=True)

    ready = ReadyWatch(host, port, announce).start()
    try:
        uvicorn.run(
            "trialdesk.web.serve:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=believe_proxies,
            forwarded_allow_ips=proxies if believe_proxies else None,
        )
    finally:
        ready.stop()
        delivery.stop()
        delivery.worker.store.close()
        if anchoring is not None:
            anchoring.stop()
            anchoring.store.close()
