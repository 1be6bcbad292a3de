"""Load the web application with N concurrent clients and print latency figures.

    .venv/bin/python benchmarks/web_load.py [--clients 50] [--seconds 15] [--think 1.0]
                                            [--workers 1] [--database-url URL]

Starts ``trialdesk serve`` in its own process on a fresh SQLite store (or the URL given),
adds one coordinator and one screening candidate, then runs three kinds of client at
once, in equal numbers, under two loads: **saturating**, each client sending its next
request as soon as the last one is answered (50 requests always in flight: this measures
capacity), and **browser-like**, each client pausing 0.5-1.5 × ``--think`` seconds between
requests as a person reading a page does. The clients:

* **trial page**: ``GET /studies/<id>`` (anonymous);
* **self-check**: ``POST /studies/<id>/self-check`` with a realistic set of answers (the
  study's own engine evaluates them on every request);
* **staff page**: ``GET /staff/leads`` signed in as the coordinator (session look-up,
  permission check, a query, a page).

Before that, a **baseline** in the same run: the same number of clients on ``/healthz``,
the cheapest route through the same stack (middleware, session and access checks). The
ratio of each scenario's p99 to the baseline's p99 says what the pages themselves cost.
The clients are aiohttp sessions in this process (one connection and one cookie jar
each, like a browser tab); they share the machine's two cores with the server. Every
client opens its connection (and signs in, or fetches its form) before the timed run, and
all start together; the clients' own garbage collector is paused during a run, so its
pauses are not counted as the server's. The server warms itself up before it listens
(templates compiled, study models and the unit registry loaded: ``trialdesk.web.warm``).

After the mixed runs, a fourth kind of client runs on its own, all the clients of one
scenario, under the same two loads:

* **screening page**: ``GET /staff/candidates/<id>`` signed in as the coordinator, for a
  candidate imported in setup from ``examples/01-eligible-looking.json`` through the
  services (FHIR upload, screening 2026-03-02, baseline 2026-03-16, right knee, and a few
  entered facts): the engine screens the candidate's whole record on every request, and
  the page lists the checklist, the entered facts and the candidate's audit trail.

The screening clients do not sign in through ``/login``: just before each of their runs,
the benchmark opens one session per client with the session service (what ``/login`` does
once the password is checked) and puts its cookie in the client's jar, so every client
starts at once. Fifty sign-ins through the form take 10 s or more (an argon2 check
each, one at a time under SQLite's write lock; 50 at once outlast its 10 s busy timeout
and some end in a 500), and clients that waited for the others would start on keep-alive
connections the server has closed meanwhile. The mixed runs sign in as they always did.

Last, unless ``--participants 0``, the conduct room on a store of its own with that many
simulated participants (benchmarks/conduct_load.py): the participant page and the site
dashboard against a ``/healthz`` baseline, and a case report form saved through the API
against the cheapest audited write, each scenario alone at saturating load.

Prints requests/s and p50/p95/p99 per load and scenario, and the targets against each
load: issue 4's (p99 < 100 ms at 50 clients on SQLite) against the three original pages
together ("all pages", measured as before), issue 5's (p99 < 150 ms) against the
screening page; then every figure as one JSON line, last. Nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import conduct_load  # benchmarks/conduct_load.py, beside this file
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from trialdesk.study.loader import load_study
from trialdesk.trial import accounts
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.screening import candidates, facts, imports
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web.csrf import SESSION_COOKIE

STUDY = "NCT06947746"
USER, PASSWORD = "bench-coordinator", "a long benchmark passphrase"
TARGET_P99_MS = 100.0  # issue 4: the trial page, the self-check and the staff page
SCREENING_TARGET_P99_MS = 150.0  # issue 5: the screening page
EXAMPLE = Path(__file__).parents[1] / "examples" / "01-eligible-looking.json"
# What a coordinator typed in from paper, so the page shows entered facts as well.
ENTERED = (
    FactEntry("alt", date(2026, 3, 1), value="30", unit="U/L",
              source_document="lab report 2026-03-01"),
    FactEntry("creatinine", date(2026, 3, 1), value="0.74", unit="mg/dL",
              source_document="lab report 2026-03-01"),
    FactEntry("body_weight", date(2026, 3, 2), value="61", unit="kg",
              source_document="screening visit vital signs 2026-03-02"),
    FactEntry("knee_ultrasound_synovitis", date(2026, 3, 2), value="present",
              laterality="right", source_document="ultrasound report 2026-03-02"),
)  # fmt: skip
# A 45-year-old woman with RA for three years on stable methotrexate: the full question
# path, so the engine evaluates every criterion the self-check can decide.
ANSWERS = {
    "age": "45",
    "sex": "female",
    "ra_diagnosed": "yes",
    "ra_since": "2022-05",
    "knee_pain": "yes",
    "methotrexate": "yes",
    "methotrexate_how_long": "24",
    "methotrexate_dose_changed": "no",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
Request = Callable[[aiohttp.ClientSession], Awaitable[int]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    url: str, port: int, log: Path, workers: int, study: Path | None = None
) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("trialdesk")
    # the engine's speed is measured, not the per-client limits of the anonymous pages
    # (web/throttle.py): 50 clients on one address would be refused within a second
    env = {
        **os.environ,
        "TRIALDESK_SECRET_KEY": "benchmark-secret",
        "TRIALDESK_PUBLIC_LIMITS": "off",
    }
    served = ["--study", str(study)] if study is not None else []
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
            "--workers",
            str(workers),
            *served,
        ],  # fmt: skip
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


async def csrf(client: aiohttp.ClientSession, path: str) -> str:
    async with client.get(path) as response:
        found = _CSRF.search(await response.text())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def fetch(client: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> int:
    async with client.request(method, path, allow_redirects=False, **kw) as response:
        await response.read()  # the whole body, as a browser would
        return response.status


def screening_candidate(store: Store) -> int:
    """The candidate the screening page shows, made as staff make one: ex-01's FHIR bundle
    uploaded, its dates and knee set, a few facts entered. Reused on a store that has it."""
    data = EXAMPLE.read_bytes()
    ref = f"{EXAMPLE.name}#Patient/ex-01"
    with store.transaction() as session:
        found = [c for c in candidates.list_candidates(session, STUDY) if c.source_ref == ref]
        if found:
            return int(found[0].id)
        now = datetime.now(UTC)
        (added,) = imports.import_fhir(
            session, actor=USER, study_id=STUDY, filename=EXAMPLE.name, data=data, now=now
        )
        candidates.set_screening_details(
            session, actor=USER, study=load_study(STUDY), candidate_id=added.id,
            expected_version=None,
            dates={"screening": date(2026, 3, 2), "baseline": date(2026, 3, 16)},
            parameters={"target_knee": "right"}, reason="screening visit booked", now=now,
        )  # fmt: skip
        study = load_study(STUDY)
        for entry in ENTERED:
            facts.add_fact(
                session, actor=USER, study=study, candidate_id=added.id, entry=entry, now=now
            )
        return int(added.id)


def open_sessions(url: str, count: int) -> list[str]:
    """Session tokens for ``count`` browsers signed in as the coordinator."""
    store = open_store(url)
    try:
        with store.transaction() as session:
            user = next(u for u in accounts.list_users(session) if u.username == USER)
            now = datetime.now(UTC)
            return [sessions.start(session, user, now) for _ in range(count)]
    finally:
        store.engine.dispose()


async def prepare(kind: str, client: aiohttp.ClientSession, candidate: int) -> Request:
    """The request a client of this kind repeats (signing in or fetching a form first)."""
    if kind == "self-check":
        form = {**ANSWERS, "csrf_token": await csrf(client, f"/studies/{STUDY}/self-check")}
        return lambda c: fetch(c, "POST", f"/studies/{STUDY}/self-check", data=form)
    if kind == "staff page":
        token = await csrf(client, "/login")
        login = {"username": USER, "password": PASSWORD, "next": "/staff", "csrf_token": token}
        status = await fetch(client, "POST", "/login", data=login)
        assert status == 303, f"sign-in failed with {status}"
        return lambda c: fetch(c, "GET", "/staff/leads")
    if kind == "screening page":  # signed in already: its session cookie is in the jar
        return lambda c: fetch(c, "GET", f"/staff/candidates/{candidate}")
    path = {"trial page": f"/studies/{STUDY}", "baseline": "/healthz"}[kind]
    await fetch(client, "GET", path)  # open the connection, as the other kinds do
    return lambda c: fetch(c, "GET", path)


async def run(
    base: str,
    clients: int,
    seconds: float,
    kinds: list[str],
    think: float = 0.0,
    candidate: int = 0,
    tokens: list[str] | None = None,
) -> dict[str, list[float]]:
    """Each client repeats its own request until time is up, pausing a random 0.5-1.5 ×
    ``think`` seconds between requests (0: no pause); returns latencies (s). ``tokens``:
    one session per client, already signed in."""
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = {k: 0 for k in kinds}

    # Every client signs in or fetches its form first; the measured runs start together once
    # all are ready, so no client is timed while others are still signing in (50 argon2
    # checks are several seconds of work the loads below are not about).
    ready = asyncio.Barrier(clients)

    async def one(index: int) -> None:
        kind = kinds[index % len(kinds)]
        pauses = random.Random(index)  # the same pauses on every run
        # One connection and one cookie jar per client, like one browser.
        connector = aiohttp.TCPConnector(limit=1)
        jar = aiohttp.CookieJar(unsafe=True)  # keep cookies for the 127.0.0.1 address
        cookies = {SESSION_COOKIE: tokens[index]} if tokens else None
        async with aiohttp.ClientSession(
            base, connector=connector, cookie_jar=jar, cookies=cookies
        ) as client:
            request = await prepare(kind, client, candidate)
            await ready.wait()
            if think:  # people do not all arrive in the same millisecond
                await asyncio.sleep(think * pauses.uniform(0, 1))
            end = time.perf_counter() + seconds
            while (start := time.perf_counter()) < end:
                status = await request(client)
                latencies[kind].append(time.perf_counter() - start)
                if status != 200:
                    errors[kind] += 1
                if think:
                    await asyncio.sleep(think * pauses.uniform(0.5, 1.5))

    # The clients' own garbage collector is paused while they run: in this process a full
    # collection over every latency recorded so far stops all 50 clients at once, and the
    # pause would be counted as the server's. The server's collector runs as always.
    gc.collect()
    gc.disable()
    try:
        await asyncio.gather(*(one(i) for i in range(clients)))
    finally:
        gc.enable()
    bad = {k: n for k, n in errors.items() if n}
    if bad:
        raise SystemExit(f"requests failed: {bad} (the server's log says why)")
    return latencies


def figures(samples: list[float], seconds: float) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


def conduct_runs(
    args: argparse.Namespace, console: Console, tmp: Path
) -> dict[str, dict[str, float]]:
    """The conduct room's scenarios on a simulated store and a server of their own."""
    url = f"sqlite:///{tmp}/conduct.db"
    with console.status(f"simulating {args.participants} participants"):
        folder, made = conduct_load.prepare_store(url, tmp, args.participants)
    console.print(f"simulated {made['simulated']} participants in {made['simulate_s']} s")
    port = free_port()
    log = tmp / "conduct-server.log"
    server = start_server(url, port, log, args.workers, study=folder)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    try:
        chosen = conduct_load.targets(url, args.clients, folder)
        token = conduct_load.open_sessions(url, 1)[0]
        for what, path in (
            ("dashboard", "/staff/participants"),
            ("participant page", f"/staff/participants/{chosen['participants'][0]}"),
        ):
            cold = asyncio.run(conduct_load.cold_render_ms(base, token, path))
            console.print(f"{what}: first rendering (cold cache) {cold:.0f} ms")
            ms = round(cold, 1)
            results[f"{what} cold"] = {"requests": 1, "rps": 0.0, "p50_ms": ms, "p95_ms": ms,
                                       "p99_ms": ms}  # fmt: skip
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("conduct", total=len(conduct_load.KINDS))
            for kind in conduct_load.KINDS:
                progress.update(task, description=f"saturating: {kind}")
                tokens = conduct_load.open_sessions(url, args.clients)
                alone = conduct_load.run_alone(
                    base, kind, args.clients, args.seconds, tokens, chosen
                )
                results[kind] = figures(asyncio.run(alone), args.seconds)
                progress.advance(task)
    except SystemExit:
        console.print(log.read_text(errors="replace")[-3000:], markup=False)
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause of a browser-like client (s)"
    )
    parser.add_argument(
        "--database-url", default=None, help="a trial store URL (default: a fresh SQLite file)"
    )
    parser.add_argument(
        "--participants", type=int, default=1000,
        help="simulated participants for the conduct room's runs (0: skip them)",
    )  # fmt: skip
    args = parser.parse_args()
    console = Console()
    tmp = tempfile.mkdtemp(prefix="trialdesk-web-load-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    store = open_store(url)
    with store.transaction() as session:
        if not any(u.username == USER for u in accounts.list_users(session)):
            accounts.create_user(
                session, actor="benchmark", username=USER, password=PASSWORD, role=Role.COORDINATOR
            )
    candidate = screening_candidate(store)
    store.engine.dispose()
    port = free_port()
    log = Path(tmp) / "server.log"
    server = start_server(url, port, log, args.workers)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    kinds = ["trial page", "self-check", "staff page"]
    loads = {"saturating": 0.0, "browser-like": args.think}
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("baseline (/healthz)", total=None)
            base_lat = asyncio.run(run(base, args.clients, args.seconds, ["baseline"]))
            results["saturating · baseline"] = figures(base_lat["baseline"], args.seconds)
            for load, think in loads.items():
                progress.update(task, description=f"{load}: trial page, self-check, staff page")
                mixed = asyncio.run(run(base, args.clients, args.seconds, kinds, think))
                for kind in kinds:
                    results[f"{load} · {kind}"] = figures(mixed[kind], args.seconds)
                every = [x for k in kinds for x in mixed[k]]
                results[f"{load} · all pages"] = figures(every, args.seconds)
            for load, think in loads.items():  # on its own: the mix above stays as it was
                progress.update(task, description=f"{load}: screening page")
                tokens = open_sessions(url, args.clients)
                solo = run(
                    base, args.clients, args.seconds, ["screening page"], think,
                    candidate=candidate, tokens=tokens,
                )  # fmt: skip
                alone = asyncio.run(solo)
                results[f"{load} · screening page"] = figures(alone["screening page"], args.seconds)
    except SystemExit:
        console.print(log.read_text(errors="replace")[-3000:], markup=False)
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)

    conduct: dict[str, dict[str, float]] = {}
    if args.participants:
        conduct = conduct_runs(args, console, Path(tmp))
        for kind, f in conduct.items():
            results[f"saturating · {kind} (conduct)"] = f

    table = Table(
        title=f"{args.clients} concurrent clients, {args.workers} server worker(s), "
        f"{args.seconds:g} s each run, "
        f"{'SQLite' if url.startswith('sqlite') else url.split(':')[0]}"
    )
    for column in ("load", "scenario", "requests/s", "p50 ms", "p95 ms", "p99 ms", "p99 / base"):
        table.add_column(column, justify="left" if column in ("load", "scenario") else "right")
    baseline_p99 = results["saturating · baseline"]["p99_ms"]
    for name, f in results.items():
        load, scenario = name.split(" · ")
        table.add_row(
            load,
            scenario,
            f"{f['rps']:,.0f}",
            f"{f['p50_ms']:.1f}",
            f"{f['p95_ms']:.1f}",
            f"{f['p99_ms']:.1f}",
            f"{f['p99_ms'] / baseline_p99:.1f}×",
        )
    console.print(table)
    targets = (
        ("issue 4", "all pages", "trial page, self-check, staff page", TARGET_P99_MS),
        ("issue 5", "screening page", f"/staff/candidates/{candidate}", SCREENING_TARGET_P99_MS),
    )
    for load, think in loads.items():
        pause = f"{think:g} s mean pause" if think else "no pause"
        for issue, scenario, what, target in targets:
            worst = results[f"{load} · {scenario}"]["p99_ms"]
            verdict = "met" if worst < target else "not met"
            console.print(
                f"{issue} target p99 < {target:.0f} ms at {args.clients} clients, {load} "
                f"({pause}): {scenario} ({what}) {worst:.1f} ms ({verdict})"
            )
    if conduct:
        for kind, ratio in conduct_load.ratios(conduct).items():
            limit = conduct_load.limit_of(kind)
            base = "write" if kind == "form save" else "read"
            verdict = "met" if ratio <= limit else "not met"
            console.print(
                f"issue 13 target: {kind} p99 <= {limit:g}x the {base} baseline's p99 at "
                f"{args.clients} saturating clients, {args.participants} participants: "
                f"{ratio:.2f}x ({verdict})"
            )
    line: dict[str, Any] = {
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "think_s": args.think,
        "database": url.split(":")[0],
        "target_p99_ms": TARGET_P99_MS,
        "screening_target_p99_ms": SCREENING_TARGET_P99_MS,
        "screening_candidate": candidate,
        "participants": args.participants,
        "conduct_ratios": conduct_load.ratios(conduct) if conduct else None,
    }
    for name, f in results.items():
        for key, value in f.items():
            slug = name.replace(" · ", "_").replace(" ", "_").replace("-", "_")
            line[f"{slug}_{key}"] = value
    print(json.dumps(line))


if __name__ == "__main__":
    main()
