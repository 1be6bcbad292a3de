"""The conduct room under load, for benchmarks/web_load.py (``--participants N``).

A store of its own: ``trial simulate`` of N participants (the same ``simulate()``) into a
copy of the study folder whose registry record has N places (benchmarks/simulate.py says
why a copy), served by ``trialdesk serve --study <copy>``. Then, each on its own at the
same saturating load, every client sending its next request as soon as the last is
answered:

* **read baseline** ``GET /healthz``: the cheapest route through the same stack;
* **participant page** ``GET /staff/participants/<id>``, each client its own participant;
* **dashboard** ``GET /staff/participants``: every participant's calendar and badges;
  each page client opens its page once before the timed run (a kept page's first
  rendering is a cold cache, not the load; its cost is printed on its own);
* **write baseline** ``PATCH /api/leads/<id>``: the cheapest audited write (one lead's
  status, each client its own lead), under the same single-writer store;
* **form save** ``PUT /api/participants/<id>/visits/<key>/forms/vital_signs``: a completed
  form changed with a reason (each client its own participant, the version read back
  from every answer), which re-reads the participant's forms, recomputes their derived
  values and runs the edit checks in the same transaction.

Targets (issue 13): the participant page and the dashboard p99 at most 4x the read
baseline's p99, the form save's at most 6x the write baseline's, measured in the same run.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from simulate import with_target  # benchmarks/simulate.py, beside this file

from trialdesk.study.loader import BUNDLED
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.users import find_user
from trialdesk.trial.conduct.calendar import calendar
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.screening import leads
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.simulate.staff import COORDINATOR
from trialdesk.trial.store.db import open_store
from trialdesk.web.csrf import SESSION_COOKIE

STUDY = "NCT06947746"
AS_OF = date(2026, 11, 30)
READ_RATIO, WRITE_RATIO = 4.0, 6.0  # issue 13
Request = Any


def prepare_store(url: str, tmp: Path, participants: int) -> tuple[Path, dict[str, Any]]:
    """The simulated store and the study folder copy it was simulated on."""
    study = with_target(BUNDLED / STUDY, participants, tmp)
    store = open_store(url)
    started = time.perf_counter()
    done = simulate(store, study, participants=participants, seed=1, as_of=AS_OF)
    seconds = time.perf_counter() - started
    with store.transaction() as session:
        for i in range(64):  # one lead per write-baseline client
            leads.store_lead(
                session, study_id=STUDY,
                contact=leads.LeadContact(f"Bench Lead {i}", f"lead{i}@example.org", None, None),
                answers={}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
                consented=True, now=datetime.now(UTC),
            )  # fmt: skip
    store.engine.dispose()
    return Path(study.folder), {"simulated": done.enrolled, "simulate_s": round(seconds, 1)}


def targets(url: str, clients: int, study_folder: Path) -> dict[str, list[Any]]:
    """Per client: a participant to look at, one whose visit form to change, a lead."""
    from trialdesk.study.loader import load_study

    study = load_study(str(study_folder))
    store = open_store(url, migrate=False)
    try:
        with store.read() as session:
            people = list_participants(session, study.id)
            editable = []
            for p in people:
                rows = calendar(session, study, p, AS_OF)
                done = [
                    r for r in rows
                    if r.date is not None and r.forms.get("vital_signs") is not None
                    and r.visit.anchor is None
                ]  # fmt: skip
                if done:
                    editable.append((p.id, done[-1].key))
            lead_ids = [lead.id for lead in leads.list_leads(session)][:clients]
    finally:
        store.engine.dispose()
    assert len(editable) >= clients, "too few participants with a visit's vital signs entered"
    return {
        "participants": [p.id for p in people][:clients],
        "forms": editable[:clients],
        "leads": lead_ids,
    }


def open_sessions(url: str, count: int) -> list[str]:
    store = open_store(url, migrate=False)
    try:
        with store.transaction() as session:
            user = find_user(session, COORDINATOR[0])
            assert user is not None
            return [sessions.start(session, user, datetime.now(UTC)) for _ in range(count)]
    finally:
        store.engine.dispose()


async def _token(client: aiohttp.ClientSession) -> str:
    async with client.get("/staff/participants") as response:
        text = await response.text()
    marker = 'name="csrf_token" value="'
    start = text.find(marker)
    if start < 0:  # the dashboard has no form: any staff page with one gives the token
        async with client.get("/staff/leads") as response:
            text = await response.text()
        start = text.find(marker)
    assert start >= 0, "no CSRF token on the staff pages"
    start += len(marker)
    return text[start : text.index('"', start)]


async def _prepare(kind: str, client: aiohttp.ClientSession, index: int, t: dict[str, Any]):  # noqa: ANN202
    participant = t["participants"][index % len(t["participants"])]
    reads = {
        "read baseline": "/healthz",
        "participant page": f"/staff/participants/{participant}",
        "dashboard": "/staff/participants",
    }
    if kind in reads:
        path = reads[kind]
        # as every client of web_load.py opens its connection first, this one opens its
        # page: the server keeps a staff page rendered until the next audited write, and
        # the first rendering (the whole site's calendars, for the dashboard) is not the
        # load being measured but a cold cache. Twice: a browser's first page mints its
        # CSRF cookie and is built for it alone; the second is the one kept.
        await _status(client, "GET", path)
        await _status(client, "GET", path)
        return lambda c: _status(c, "GET", path)
    headers = {"X-CSRF-Token": await _token(client)}
    if kind == "write baseline":
        lead = t["leads"][index % len(t["leads"])]
        statuses = iter(["contacted", "new"] * 1_000_000)
        return lambda c: _status(
            c, "PATCH", f"/api/leads/{lead}", json={"status": next(statuses)}, headers=headers
        )
    pid, key = t["forms"][index]
    path = f"/api/participants/{pid}/visits/{key.replace('#', '%23')}/forms/vital_signs"
    async with client.get(path) as response:
        form = await response.json()
    state = {"version": form["version"], "values": dict(form["values"]), "n": 0}

    async def save(c: aiohttp.ClientSession) -> int:
        state["n"] += 1
        values = {**state["values"], "pulse": 60 + state["n"] % 30}
        body = {"values": values, "complete": True, "version": state["version"],
                "reason": "benchmark: a transcription corrected"}  # fmt: skip
        async with c.put(path, json=body, headers=headers) as response:
            answer = await response.json()
            if response.status == 200:
                state["version"] = answer["version"]
            return response.status

    return save


async def _status(c: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> int:
    async with c.request(method, path, allow_redirects=False, **kw) as response:
        await response.read()
        return response.status


async def cold_render_ms(base: str, token: str, path: str) -> float:
    """One request for a page no one has opened since the last write (a cold cache)."""
    async with aiohttp.ClientSession(
        base, cookie_jar=aiohttp.CookieJar(unsafe=True), cookies={SESSION_COOKIE: token}
    ) as client:
        await _status(client, "GET", "/healthz")  # the connection, opened first
        start = time.perf_counter()
        status = await _status(client, "GET", path)
        assert status == 200, f"{path}: {status}"
        return (time.perf_counter() - start) * 1000


async def run_alone(
    base: str, kind: str, clients: int, seconds: float, tokens: list[str], t: dict[str, Any]
) -> list[float]:
    """``clients`` clients of one kind at saturating load; their latencies (s)."""
    latencies: list[float] = []
    failed: list[int] = []
    ready, going = asyncio.Barrier(clients), asyncio.Barrier(clients)

    async def one(index: int) -> None:
        connector = aiohttp.TCPConnector(limit=1)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(
            base, connector=connector, cookie_jar=jar, cookies={SESSION_COOKIE: tokens[index]}
        ) as client:
            request = await _prepare(kind, client, index, t)
            await ready.wait()
            # The first clients ready waited for the last: the server may have closed their
            # idle connection (its keep-alive timeout), and a write sent on a closing one
            # fails. A connection fresh for each (a GET, retried once on a new one), then go.
            try:
                await _status(client, "GET", "/healthz")
            except aiohttp.ClientError:
                await _status(client, "GET", "/healthz")
            await going.wait()
            end = time.perf_counter() + seconds
            while (start := time.perf_counter()) < end:
                status = await request(client)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    failed.append(status)

    gc.collect()
    gc.disable()
    try:
        await asyncio.gather(*(one(i) for i in range(clients)))
    finally:
        gc.enable()
    if failed:
        raise SystemExit(f"{kind}: {len(failed)} requests failed ({sorted(set(failed))})")
    return latencies


KINDS = ("read baseline", "participant page", "dashboard", "write baseline", "form save")


def ratios(results: dict[str, dict[str, float]]) -> dict[str, float]:
    read = results["read baseline"]["p99_ms"]
    write = results["write baseline"]["p99_ms"]
    return {
        "participant page": results["participant page"]["p99_ms"] / read,
        "dashboard": results["dashboard"]["p99_ms"] / read,
        "form save": results["form save"]["p99_ms"] / write,
    }


def limit_of(kind: str) -> float:
    return WRITE_RATIO if kind == "form save" else READ_RATIO


def summary(results: dict[str, dict[str, float]]) -> str:
    return json.dumps({k: round(v, 2) for k, v in ratios(results).items()})
