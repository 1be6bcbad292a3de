"""Rendered staff pages kept while nothing they show can have changed.

A screening page runs the eligibility engine over the candidate's whole record and
renders a long checklist: about 10 ms, where a page served from memory costs well under
one. What the page shows changes only through a write, and every write to trial data
appends to the audit chain in the same transaction (``audit.append``), so the id of the
newest audit entry (``audit.head``) is a change marker for the whole store: read first in
the page's own read transaction, it is never newer than the data read after it, and a
page is kept under the marker it was read with. Appenders are serialised by the audit
head's row lock, so the marker only ever moves forward in commit order (on PostgreSQL as
on SQLite, where a read transaction is one snapshot: REPEATABLE READ, db.py).

A page is also bound to the user (their name and role decide what it shows and which
forms it offers), the reader's language, the date (``today`` decides which consent form
is in effect), and the request's own parameters. The one thing that differs between two
browsers of the same user is the CSRF token in every form (an HMAC of the browser's cookie
and its session): the page is kept with a random placeholder in its place, which each
request replaces with its own token, so what is served is byte for byte what rendering for
that browser gives.
Each worker process keeps its own pages, bounded by size; nothing is shared between users.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from trialdesk.i18n import current_locale
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.web import csrf
from trialdesk.web.deps import store_of, user_of

__all__ = ["PageCache", "kept_page"]


class PageCache:
    """Rendered pages by key, least recently used evicted first, ``limit`` bytes at most."""

    def __init__(self, limit: int = 16 * 1024 * 1024) -> None:
        self._pages: LRUCache[Hashable, bytes] = LRUCache(maxsize=limit, getsizeof=len)
        self._lock = threading.Lock()  # sync routes run on the thread pool
        # As long as a token (64 hex digits) and unguessable, so no content can contain it.
        self.placeholder = secrets.token_hex(32)

    def with_token(self, body: bytes, token: str) -> bytes:
        """The kept page with this browser's CSRF token in every form."""
        return body.replace(self.placeholder.encode(), token.encode())

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self._pages.maxsize:
            return
        with self._lock:
            self._pages[key] = body


Key = tuple[Hashable, ...]


def kept_page(
    request: Request,
    key: Key | Callable[[Session], Key],
    build: Callable[[Session, str | None], Response],
) -> Response:
    """A staff page from the app's cache, or built now (``build(session, placeholder)``
    renders it with the placeholder for the CSRF token) and kept under ``key``, the audit
    head read first, the user and their role (``key`` may read the store, to bring what
    a request names to what the page shows). A browser without its CSRF cookie yet gets
    a page built for it, which mints one."""
    store = store_of(request)
    if not request.cookies.get(csrf.COOKIE):  # an empty cookie too: the page mints one
        with store.read() as session:
            return build(session, None)
    user = user_of(request)
    pages: PageCache = request.app.state.staff_pages
    with store.read() as session:
        marker = audit.head(session)
        own = key(session) if callable(key) else key
        full = (*own, marker, user.username, user.role, current_locale())
        body = pages.get(full)
        if body is None:
            built = build(session, pages.placeholder)
            if built.status_code != 200:
                return built
            body = bytes(built.body)
            pages.put(full, body)
    return HTMLResponse(pages.with_token(body, csrf.token_for(request)))
