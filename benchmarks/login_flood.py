"""Flood the sign-in form anonymously and print the server's memory and a real user's
sign-in latency, against a baseline in the same server process (security probe F7).

    .venv/bin/python benchmarks/login_flood.py [--flooders 40] [--seconds 20]
                                               [--workers 1] [--max-requests 20000]

Loopback only: the server is started here on 127.0.0.1 (a fresh SQLite store, one
coordinator with the default Argon2id parameters: 64 MiB, t=3, p=4), and every client is
in this process on a 127.x.y.z address. Bounded: at most 60 s per flood and
``--max-requests`` sign-ins in all.

Three phases, each ``--seconds`` long, in one server process:

The flooders run in a process of their own; the real user, ``/healthz`` and the memory
sampling in this one.

* **baseline**: no flood; the real user (from 127.0.0.1) signs in once a second;
* **flood, one address**: ``--flooders`` clients from 127.0.0.2 (what the probe ran: 40
  clients on loopback), each posting the sign-in form with made-up names as fast as it is
  answered, while the real user signs in once a second;
* **flood, many addresses**: the same, each flooder from an address of its own
  (127.0.1.1, 127.0.1.2, ...): a distributed flood, which per-client throttling does not
  stop, so only the bound on concurrent hashing (web/throttle.py) holds memory.

Prints, per phase: the server's resident memory (VmRSS of the server process and its
children, sampled every 100 ms: median and peak), the real user's sign-in latency
(p50, max, and how many sign-ins failed), the flood's answers by status, and ``/healthz``
latency. Then every figure as one JSON line. Nothing asserts. The probe's figures before
the fix: RSS 201 -> 1,050 MiB, a real sign-in 3.6 s, ``/healthz`` p50 3.3 -> 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from web_load import free_port, start_server  # noqa: E402  (benchmarks/web_load.py)

from trialdesk.trial import accounts  # noqa: E402
from trialdesk.trial.accounts.roles import Role  # noqa: E402
from trialdesk.trial.store.db import open_store  # noqa: E402

USER, PASSWORD = "real-coordinator", "a long benchmark passphrase"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAX_SECONDS = 60.0


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MiB (Linux /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, AttributeError):
            continue
    return total / 1024


def _client(base: str, address: str) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1)
    return aiohttp.ClientSession(
        base, connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)
    )


async def _token(client: aiohttp.ClientSession) -> str:
    async with client.get("/login") as response:
        found = _CSRF.search(await response.text())
    assert found, "no CSRF token on /login"
    return found.group(1)


async def real_user(base: str, stop: float, out: list[tuple[float, int]]) -> None:
    """Sign in once a second from 127.0.0.1, a fresh browser each time."""
    while time.monotonic() < stop:
        async with _client(base, "127.0.0.1") as client:
            token = await _token(client)
            started = time.perf_counter()
            async with client.post(
                "/login",
                data={"username": USER, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
            ) as response:
                await response.read()
                out.append((time.perf_counter() - started, response.status))
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))


async def flooder(
    base: str, address: str, stop: float, budget: list[int], statuses: Counter[int]
) -> None:
    async with _client(base, address) as client:
        token = await _token(client)
        n = 0
        while time.monotonic() < stop and budget[0] > 0:
            budget[0] -= 1
            n += 1
            try:
                async with client.post(
                    "/login",
                    data={
                        "username": f"flood-{address}-{n}",
                        "password": "guess guess guess",
                        "csrf_token": token,
                    },
                    allow_redirects=False,
                ) as response:
                    await response.read()
                    statuses[response.status] += 1
            except aiohttp.ClientError:
                statuses[0] += 1  # refused or dropped connection


async def health(base: str, stop: float, out: list[float]) -> None:
    async with _client(base, "127.0.0.1") as client:
        while time.monotonic() < stop:
            started = time.perf_counter()
            async with client.get("/healthz") as response:
                await response.read()
            out.append(time.perf_counter() - started)
            await asyncio.sleep(0.1)


async def memory(pid: int, stop: float, out: list[float]) -> None:
    while time.monotonic() < stop:
        out.append(rss_mib(pid))
        await asyncio.sleep(0.1)


async def _flood(base: str, addresses: list[str], seconds: float, budget: int) -> Counter[int]:
    stop = time.monotonic() + seconds
    statuses: Counter[int] = Counter()
    left = [budget]
    await asyncio.gather(*(flooder(base, a, stop, left, statuses) for a in addresses))
    return statuses


def _flood_process(
    base: str, addresses: list[str], seconds: float, budget: int, out: multiprocessing.Queue
) -> None:
    """The flood in a process of its own, so its clients do not slow the measuring ones'
    event loop (and with it the latencies measured)."""
    out.put(dict(asyncio.run(_flood(base, addresses, seconds, budget))))


async def _measure(
    base: str, pid: int, seconds: float
) -> tuple[list[tuple[float, int]], list[float], list[float]]:
    stop = time.monotonic() + seconds
    logins: list[tuple[float, int]] = []
    healthz: list[float] = []
    rss: list[float] = []
    await asyncio.gather(
        real_user(base, stop, logins), health(base, stop, healthz), memory(pid, stop, rss)
    )
    return logins, healthz, rss


def phase(
    base: str, pid: int, seconds: float, addresses: list[str], budget: list[int]
) -> dict[str, Any]:
    statuses: Counter[int] = Counter()
    results: multiprocessing.Queue = multiprocessing.Queue()
    flood = None
    if addresses:
        flood = multiprocessing.Process(
            target=_flood_process, args=(base, addresses, seconds, budget[0], results)
        )
        flood.start()
        time.sleep(0.5)  # the flooders connect and fetch their forms
    logins, healthz, rss = asyncio.run(_measure(base, pid, seconds))
    if flood is not None:
        statuses.update(results.get(timeout=MAX_SECONDS + 30))
        flood.join(timeout=30)
        budget[0] -= sum(statuses.values())
    ok = [t for t, status in logins if status == 303]
    return {
        "rss_median_mib": round(statistics.median(rss), 1),
        "rss_peak_mib": round(max(rss), 1),
        "signin_p50_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
        "signin_max_ms": round(max(ok) * 1000, 1) if ok else None,
        "signins": len(logins),
        "signins_refused": {
            str(k): v for k, v in Counter(s for _, s in logins if s != 303).items()
        },
        "healthz_p50_ms": round(statistics.median(healthz) * 1000, 1),
        "healthz_max_ms": round(max(healthz) * 1000, 1),
        "flood_requests": sum(statuses.values()),
        "flood_statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flooders", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-requests", type=int, default=20_000)
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    flooders = max(1, min(args.flooders, 200))
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'flood.db'}"
        store = open_store(url)
        with store.transaction() as session:
            accounts.create_user(
                session, actor="benchmark", username=USER, password=PASSWORD,
                role=Role.COORDINATOR,
            )  # fmt: skip
        store.engine.dispose()
        port = free_port()
        server = start_server(url, port, Path(tmp) / "server.log", args.workers)
        base = f"http://127.0.0.1:{port}"
        budget = [args.max_requests]
        results: dict[str, dict[str, Any]] = {}
        try:
            plans = {
                "baseline": [],
                "flood, one address": ["127.0.0.2"] * flooders,
                "flood, many addresses": [
                    f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(flooders)
                ],
            }
            for name, addresses in plans.items():
                console.print(f"{name}: {len(addresses)} flooders for {seconds:.0f} s ...")
                results[name] = phase(base, server.pid, seconds, addresses, budget)
                time.sleep(2)  # let the last hashes finish
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    table = Table(title=f"anonymous sign-in flood, {flooders} clients, {args.workers} worker(s)")
    columns = (
        "phase", "RSS median / peak MiB", "real sign-in p50 / max ms", "real refused",
        "/healthz p50 / max ms", "flood requests", "flood statuses",
    )  # fmt: skip
    for column in columns:
        table.add_column(column)
    for name, r in results.items():
        table.add_row(
            name,
            f"{r['rss_median_mib']} / {r['rss_peak_mib']}",
            f"{r['signin_p50_ms']} / {r['signin_max_ms']}",
            f"{sum(r['signins_refused'].values())} of {r['signins']}",
            f"{r['healthz_p50_ms']} / {r['healthz_max_ms']}",
            str(r["flood_requests"]),
            " ".join(f"{k}:{v}" for k, v in r["flood_statuses"].items()),
        )
    console.print(table)
    print(json.dumps({"flooders": flooders, "seconds": seconds, "workers": args.workers,
                      "cpus": os.cpu_count(), **results}))  # fmt: skip


if __name__ == "__main__":
    main()
