"""Load the web application with N concurrent clients and print latency figures.

    .venv/bin/python benchmarks/web_load.py [--clients 50] [--seconds 15] [--database-url URL]

Starts ``trialdesk serve`` in its own process on a fresh SQLite store (or the URL given),
adds one coordinator, then runs three kinds of client at once, in equal numbers, each
sending its next request as soon as the last one is answered (no think time):

* **trial page**: ``GET /studies/<id>`` (anonymous);
* **self-check**: ``POST /studies/<id>/self-check`` with a realistic set of answers (the
  study's own engine evaluates them on every request);
* **staff page**: ``GET /staff/leads`` signed in as the coordinator (session look-up,
  permission check, a query, a page).

Before that, a **baseline** in the same run: the same number of clients on ``/healthz``,
the cheapest route through the same stack (middleware, session and access checks). The
ratio of each scenario's p99 to the baseline's p99 says what the pages themselves cost.

Prints requests/s and p50/p95/p99 per scenario and the target (p99 < 100 ms at 50
clients on SQLite), then every figure as one JSON line, last. Nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from trialdesk.trial import accounts
from trialdesk.trial.db import open_store
from trialdesk.trial.roles import Role

STUDY = "NCT06947746"
USER, PASSWORD = "bench-coordinator", "a long benchmark passphrase"
TARGET_P99_MS = 100.0
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
Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("trialdesk")
    env = {**os.environ, "TRIALDESK_SECRET_KEY": "benchmark-secret"}
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database-url", url],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    found = _CSRF.search((await client.get(path)).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def trial_page(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get(f"/studies/{STUDY}")


async def make_self_check(client: httpx.AsyncClient) -> Request:
    token = await csrf(client, f"/studies/{STUDY}/self-check")
    form = {**ANSWERS, "csrf_token": token}

    async def post(c: httpx.AsyncClient) -> httpx.Response:
        return await c.post(f"/studies/{STUDY}/self-check", data=form)

    return post


async def make_staff(client: httpx.AsyncClient) -> Request:
    token = await csrf(client, "/login")
    signed = await client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "next": "/staff", "csrf_token": token},
    )
    assert signed.status_code == 303, signed.text

    async def get(c: httpx.AsyncClient) -> httpx.Response:
        return await c.get("/staff/leads")

    return get


async def health(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/healthz")


async def run(base: str, clients: int, seconds: float, kinds: list[str]) -> dict[str, list[float]]:
    """Each client repeats its own request until time is up; returns latencies (s)."""
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = {k: 0 for k in kinds}
    limits = httpx.Limits(max_connections=clients)

    async def one(index: int) -> None:
        kind = kinds[index % len(kinds)]
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            request = await prepare(kind, client)
            end = time.perf_counter() + seconds
            while (start := time.perf_counter()) < end:
                response = await request(client)
                latencies[kind].append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors[kind] += 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    bad = {k: n for k, n in errors.items() if n}
    if bad:
        raise SystemExit(f"requests failed: {bad} (the server's log says why)")
    return latencies


async def prepare(kind: str, client: httpx.AsyncClient) -> Request:
    """The request a client of this kind repeats (signing in or fetching a form first)."""
    if kind == "self-check":
        return await make_self_check(client)
    if kind == "staff page":
        return await make_staff(client)
    return {"trial page": trial_page, "baseline": health}[kind]


def figures(samples: list[float], seconds: float) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--database-url", default=None, help="a trial store URL (default: a fresh SQLite file)"
    )
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
    store.engine.dispose()
    port = free_port()
    log = Path(tmp) / "server.log"
    server = start_server(url, port, log)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("baseline (/healthz)", total=None)
            base_lat = asyncio.run(run(base, args.clients, args.seconds, ["baseline"]))
            results["baseline"] = figures(base_lat["baseline"], args.seconds)
            progress.update(task, description="trial page, self-check, staff page")
            kinds = ["trial page", "self-check", "staff page"]
            mixed = asyncio.run(run(base, args.clients, args.seconds, kinds))
        for kind in kinds:
            results[kind] = figures(mixed[kind], args.seconds)
        results["all pages"] = figures([x for k in kinds for x in mixed[k]], args.seconds)
    except SystemExit:
        console.print(log.read_text(errors="replace")[-3000:], markup=False)
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)

    table = Table(
        title=f"{args.clients} concurrent clients, {args.seconds:g} s each run, "
        f"{'SQLite' if url.startswith('sqlite') else url.split(':')[0]}"
    )
    for column in ("scenario", "requests/s", "p50 ms", "p95 ms", "p99 ms", "p99 / baseline"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, f in results.items():
        ratio = f["p99_ms"] / results["baseline"]["p99_ms"]
        table.add_row(
            name,
            f"{f['rps']:,.0f}",
            f"{f['p50_ms']:.1f}",
            f"{f['p95_ms']:.1f}",
            f"{f['p99_ms']:.1f}",
            f"{ratio:.1f}×",
        )
    console.print(table)
    worst = results["all pages"]["p99_ms"]
    verdict = "met" if worst < TARGET_P99_MS else "not met"
    console.print(
        f"target: p99 < {TARGET_P99_MS:.0f} ms at 50 clients — all pages {worst:.1f} ms ({verdict})"
    )
    line: dict[str, Any] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "database": url.split(":")[0],
        "target_p99_ms": TARGET_P99_MS,
    }
    for name, f in results.items():
        for key, value in f.items():
            line[f"{name.replace(' ', '_')}_{key}"] = value
    print(json.dumps(line))


if __name__ == "__main__":
    main()
