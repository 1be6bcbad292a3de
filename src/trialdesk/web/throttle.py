"""Bounds on sign-in work, so a flood of anonymous sign-ins cannot take the server's
memory or starve real users (security probe F7).

Each password check runs Argon2id with 64 MiB of memory (passwords.py), a fifth of a second
of CPU by design. Two bounds, per server process:

- :class:`ClientThrottle`: each client (its address, as the trusted proxy reports it:
  serve.py) may start at most ``limit`` sign-ins per ``window``; a successful one is given
  back, so only failures and floods count. Beyond it: 429 with ``Retry-After``. The OWASP
  Authentication Cheat Sheet ("Protect Against Automated Attacks") asks for such a limit
  beside the per-account lockout, which a flood of made-up names never reaches.
- :class:`HashSlots`: at most ``slots`` checks run at once, the rest wait in line, and a
  line longer than ``queue`` is refused at once (503 with ``Retry-After``) instead of
  holding a thread and a connection each. Memory spent on hashing is then at most
  ``slots`` x 64 MiB, whatever the flood.

A refused sign-in is answered after a pause (:class:`Tarpit`, 2 s, for at most 256
requests at once): a flooding client that ignores ``Retry-After`` then sends a request
every two seconds instead of hundreds a second, and a waiting request costs the server a
sleeping coroutine, nothing more.

With ``--workers N`` each process has its own bounds: N times these.

The anonymous endpoints that do work for anyone (walkthrough D12) are bounded per client
the same way, by :class:`PublicLimits`: every self-check evaluated (the page's and the
API's, and the one behind each contact request) counts against ``checks``, and every lead
stored against ``leads``; a request to be contacted is refused before anything is read
while its client is over either. A person does a self-check a few times and leaves their
details once; a script posting in a loop (25 leads in 0.37 s in the walkthrough) is
refused with 429, ``Retry-After`` and a sentence saying how long to wait.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from trialdesk.errors import InputError
from trialdesk.study.texts import Text
from trialdesk.web.errors import respond
from trialdesk.web.locale import locale_of

__all__ = [
    "BUSY",
    "TOO_MANY",
    "TOO_MANY_PUBLIC",
    "Busy",
    "ClientThrottle",
    "HashSlots",
    "PublicLimits",
    "RefuseThrottled",
    "Tarpit",
    "Throttled",
    "client_of",
    "count_lead",
    "public_wait",
    "too_many",
    "too_many_public",
]

TOO_MANY = Text(
    "Too many sign-in attempts from your address. Wait {seconds} seconds, then try again.",
    "来自您所在地址的登录尝试过多。请等待 {seconds} 秒后再试。",
)
TOO_MANY_PUBLIC = Text(
    "Too many requests from your address in a short time. Wait {seconds} seconds, then "
    "try again. Nothing was stored.",
    "短时间内来自您所在地址的请求过多。请等待 {seconds} 秒后再试。未保存任何信息。",
)
BUSY = Text(
    "The server is busy with other sign-ins. Try again in a few seconds.",
    "服务器正在处理其他登录请求。请几秒钟后再试。",
)


async def pause(seconds: float) -> None:
    """The tarpit's wait (its own name, so a test can count the waits it makes)."""
    await asyncio.sleep(seconds)


class Throttled(Exception):
    """This client started too many sign-ins lately: ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Busy(Exception):
    """Every hashing slot is taken and the line is full."""

    retry_after = 2


class ClientThrottle:
    """A sliding window of sign-in attempts per client, for at most ``clients`` clients
    (the oldest forgotten first, so a flood from many addresses cannot grow it)."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.clients, self.clock = limit, window, clients, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def admit(self, client: str) -> None:
        """Count an attempt from ``client``, or raise :class:`Throttled`."""
        now = self.clock()
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        self._seen[client] = times  # newest last
        while len(self._seen) > self.clients:
            self._seen.popitem(last=False)
        if len(times) >= self.limit:
            raise Throttled(max(1, math.ceil(times[0] + self.window - now)))
        times.append(now)

    def waiting(self, client: str) -> int | None:
        """Seconds ``client`` must wait before its next attempt counts, or None: a check
        that counts nothing (throttled requests are refused before their body is read)."""
        times = self._seen.get(client)
        if not times or len(times) < self.limit:
            return None
        wait = times[0] + self.window - self.clock()
        return max(1, math.ceil(wait)) if wait > 0 else None

    def give_back(self, client: str) -> None:
        """A sign-in that succeeded does not count against its client."""
        times = self._seen.get(client)
        if times:
            times.pop()


def _default_slots() -> int:
    return max(2, min(4, os.cpu_count() or 2))


class HashSlots:
    """At most ``slots`` password checks at once; at most ``queue`` waiting."""

    def __init__(self, slots: int | None = None, queue: int | None = None) -> None:
        self.slots = slots or _default_slots()
        self.queue = queue if queue is not None else 4 * self.slots
        self._waiting = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> asyncio.Semaphore:
        # One semaphore per event loop (a test client runs each app in a loop of its own).
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop, self._waiting = asyncio.Semaphore(self.slots), loop, 0
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        semaphore = self._current()
        if semaphore.locked() and self._waiting >= self.queue:
            raise Busy()
        self._waiting += 1
        try:
            await semaphore.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            semaphore.release()


class Tarpit:
    """Hold a refused request ``seconds`` before answering it, ``most`` at a time (past
    that, answer at once: a held request keeps its connection open)."""

    def __init__(self, seconds: float = 2.0, most: int = 256) -> None:
        self.seconds, self.most, self.held = seconds, most, 0

    async def hold(self) -> None:
        if self.seconds <= 0 or self.held >= self.most:
            return
        self.held += 1
        try:
            await pause(self.seconds)
        finally:
            self.held -= 1


class RefuseThrottled:
    """Pure ASGI middleware: a sign-in from a client over its limit is answered 429 before
    the form is read or any route runs, so a flood costs the server as little as it can
    (the route checks again, and counts: pages.login)."""

    def __init__(self, app: ASGIApp, path: str = "/login") -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.path:
            throttle: ClientThrottle = scope["app"].state.sign_in_throttle
            client = scope.get("client")
            wait = throttle.waiting(client[0] if client else "unknown")
            if wait is not None:
                tarpit: Tarpit = scope["app"].state.tarpit
                await tarpit.hold()
                await too_many(Request(scope), wait)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def too_many(request: Request, wait: int) -> Response:
    """The 429 answer: what happened and how long to wait, in the reader's language."""
    message = TOO_MANY.get(locale_of(request)).format(seconds=wait)
    response = respond(request, 429, "too_many_requests", message)
    response.headers["retry-after"] = str(wait)
    return response


LIMITS_ENV = "TRIALDESK_PUBLIC_LIMITS"


class PublicLimits:
    """Per-client bounds on the anonymous endpoints: ``checks`` self-check evaluations
    and ``leads`` stored leads per client, each in a sliding window."""

    def __init__(
        self, checks: ClientThrottle | None = None, leads: ClientThrottle | None = None
    ) -> None:
        # 60 evaluations a minute: a person answers, corrects and answers again; 10 leads
        # in 10 minutes: a household or a clinic's waiting room behind one address
        self.checks = checks or ClientThrottle(limit=60, window=60.0)
        self.leads = leads or ClientThrottle(limit=10, window=600.0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> PublicLimits:
        """The limits ``$TRIALDESK_PUBLIC_LIMITS`` sets: ``CHECKS/SECONDS,LEADS/SECONDS``
        (``60/60,10/600`` is the default), or ``off`` for a load test that measures the
        engine, not the limit (benchmarks/web_load.py). Unset: the defaults."""
        text = environ.get(LIMITS_ENV, "").strip()
        if not text:
            return cls()
        if text == "off":
            return cls(*(ClientThrottle(limit=2**62, window=1.0) for _ in range(2)))
        try:
            pairs = [part.split("/") for part in text.split(",")]
            (checks, check_window), (leads, lead_window) = pairs
            return cls(
                ClientThrottle(limit=int(checks), window=float(check_window)),
                ClientThrottle(limit=int(leads), window=float(lead_window)),
            )
        except ValueError:
            raise InputError(
                f"{LIMITS_ENV}={text!r}: write CHECKS/SECONDS,LEADS/SECONDS (60/60,10/600) or off",
                field=LIMITS_ENV,
            ) from None


def client_of(request: Request) -> str:
    """The client's address, as the trusted proxy reports it (serve.py)."""
    return request.client.host if request.client else "unknown"


def public_wait(request: Request, *, lead: bool = False) -> int | None:
    """Seconds the client must wait, or None: a self-check evaluation is counted now; a
    request to be contacted (``lead``) is also refused while the client has stored as many
    leads as it may (count it with ``limits.leads.admit`` once stored)."""
    limits: PublicLimits = request.app.state.public_limits
    client = client_of(request)
    if lead and (wait := limits.leads.waiting(client)) is not None:
        return wait
    try:
        limits.checks.admit(client)
    except Throttled as refused:
        return refused.retry_after
    return None


def count_lead(request: Request) -> None:
    """Count a lead just stored against its client (stored whatever the count: a lead that
    raced past the check is still the person's)."""
    limits: PublicLimits = request.app.state.public_limits
    with suppress(Throttled):
        limits.leads.admit(client_of(request))


def too_many_public(request: Request, wait: int) -> Response:
    """The 429 answer of an anonymous endpoint, in the reader's language."""
    message = TOO_MANY_PUBLIC.get(locale_of(request)).format(seconds=wait)
    response = respond(request, 429, "too_many_requests", message)
    response.headers["retry-after"] = str(wait)
    return response
