"""Pages under load: signed-in clients reading home, the feed, pairings and appreciation.

Starts ``python -m connectwell serve --no-worker`` on a copy of a SQLite file seeded once with
the demo organisation (cached under the temp folder, one file a day: the demo is seeded
relative to today), or on ``--database-url`` (seeded there when it has nobody). Gives demo
people the demo password, signs ``--clients`` distinct people in through ``POST /login``,
then for ``--seconds`` each client loops over ``/``, ``/shoutouts``, ``/pairings`` and
``/me/appreciation``. The load runs in ``--load-processes`` processes of their own (asyncio
and httpx), never in the server's.

Prints requests a second, errors, p50/p95/p99 per route and overall, and the server's CPU
milliseconds a request: utime + stime of the server and its processes from ``/proc``, read
just before and just after the load (the robust figure on a shared machine, where wall-clock
latency depends on who else is busy). With ``--workers 1 2`` it runs once per value, side by
side.

    .venv/bin/python benchmarks/pages_load.py --clients 50 --seconds 30 --workers 1 2

Not a test: it prints figures for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from connectwell.accounts import service as accounts
from connectwell.accounts.models import Credential
from connectwell.core.db import make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.demo import service as demo
from connectwell.people.models import Person

ROUTES = ("/", "/shoutouts", "/pairings", "/me/appreciation")
CACHE = Path(tempfile.gettempdir()) / "connectwell-bench"
SECRET_KEY = "pages-load-benchmark-key-" + "x" * 24
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")
SPEEDUPS = ("uvloop", "httptools")


# --- the database ---------------------------------------------------------------------------


def seed(url: str, people: int) -> list[str]:
    """Seed the demo when the database has nobody; give ``people`` active people the demo
    password. Returns their e-mails (the demo's cast first, then by id)."""
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        demo.seed_demo(session)
        chosen = list(
            session.scalars(
                select(Person).where(Person.is_active).order_by(Person.id).limit(people)
            )
        )
        password_hash = accounts.hash_password(demo.DEMO_PASSWORD)
        for person in chosen:
            accounts.set_password(session, person, demo.DEMO_PASSWORD, password_hash=password_hash)
        emails = [person.email for person in chosen]
    engine.dispose()
    if len(emails) < people:
        raise SystemExit(f"only {len(emails)} active people: ask for fewer --clients")
    return emails


def sqlite_copy(people: int, folder: Path) -> str:
    """A fresh copy of the day's cached demo file (seeded the first time)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"pages-{dt.date.today().isoformat()}-{people}.db"
    if not cached.exists():
        clock = time.perf_counter()
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        seed(f"sqlite:///{partial}", people)
        partial.rename(cached)
        print(f"seeded {cached} in {time.perf_counter() - clock:.0f} s", flush=True)
    copy = folder / "connectwell.db"
    shutil.copyfile(cached, copy)
    return f"sqlite:///{copy}"


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def hide_speedups(folder: Path) -> str:
    """A folder whose ``uvloop`` and ``httptools`` fail to import: put first on PYTHONPATH,
    uvicorn's "auto" falls back to asyncio's loop and h11 (pure-Python HTTP parsing)."""
    shadow = folder / "no-speedups"
    shadow.mkdir()
    for name in SPEEDUPS:
        (shadow / f"{name}.py").write_text(f"raise ImportError('{name} hidden by pages_load')\n")
    return str(shadow)


def start_server(
    url: str, port: int, workers: int, folder: Path, *, speedups: bool = True
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "connectwell", "serve", "--no-worker", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY, INSTANCE_PATH=str(folder))
    if not speedups:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (hide_speedups(folder), env.get("PYTHONPATH", "")) if p
        )
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603 - our own command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: see {folder / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def process_tree(root: int) -> list[int]:
    """``root`` and every process under it (uvicorn's worker processes with --workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def loaded_speedups(pids: list[int]) -> list[str]:
    """Which of uvloop and httptools the server processes have loaded (their C extensions
    mapped in ``/proc/PID/maps``): what uvicorn's "auto" loop and HTTP settings picked."""
    found = set()
    for pid in pids:
        try:
            maps = Path(f"/proc/{pid}/maps").read_text()
        except OSError:
            continue
        found.update(name for name in SPEEDUPS if f"/{name}/" in maps)
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (their own, not of children they already reaped)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return ticks / TICKS


# --- the clients ----------------------------------------------------------------------------


def sign_in(base: str, email: str) -> dict[str, str]:
    """The cookies of a signed-in client, through the sign-in form like a browser."""
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/login")
        token = CSRF.search(page.text)
        assert token is not None, "no CSRF token on the sign-in page"
        answer = client.post(
            "/login",
            data={
                "email": email,
                "password": demo.DEMO_PASSWORD,
                "next": "/",
                "csrf_token": token.group(1),
            },
        )
        if answer.status_code != 303:
            raise SystemExit(f"sign-in of {email} answered {answer.status_code}")
        return dict(client.cookies)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in ROUTES})
    errors: int = 0


async def one_client(base: str, cookies: dict[str, str], stop_at: float, tally: Tally) -> None:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
        while True:
            for route in ROUTES:
                if time.monotonic() >= stop_at:
                    return
                started = time.perf_counter()
                try:
                    answer = await client.get(route)
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    tally.latencies[route].append(time.perf_counter() - started)
                else:
                    tally.errors += 1


def load_process(base: str, clients: list[dict[str, str]], seconds: float) -> Tally:
    """One load-generating process: its share of the clients, for ``seconds``."""
    tally = Tally()

    async def run() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(one_client(base, c, stop_at, tally) for c in clients))

    asyncio.run(run())
    return tally


# --- one run --------------------------------------------------------------------------------


@dataclass
class Result:
    workers: int
    seconds: float
    cpu: float
    tally: Tally
    speedups: list[str]

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.tally.latencies.values())


def run_once(args: argparse.Namespace, workers: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="cw-pages-") as name:
        folder = Path(name)
        url = args.database_url or sqlite_copy(args.clients, folder)
        if args.database_url:
            emails = seed(url, args.clients)
        else:
            engine = make_engine(url)
            with make_session_factory(engine)() as session:
                emails = list(
                    session.scalars(
                        select(Person.email)
                        .join(Credential, Credential.person_id == Person.id)
                        .order_by(Person.id)
                    )
                )[: args.clients]
            engine.dispose()
        port = free_port()
        server = start_server(url, port, workers, folder, speedups=not args.no_speedups)
        base = f"http://127.0.0.1:{port}"
        try:
            cookies = [sign_in(base, email) for email in emails]
            for client in cookies[: args.processes]:  # warm each worker's caches a little
                for route in ROUTES:
                    httpx.get(base + route, cookies=client, timeout=60)
            shares = [cookies[i :: args.processes] for i in range(args.processes)]
            pids = process_tree(server.pid)
            speedups = loaded_speedups(pids)
            cpu_before, clock = cpu_seconds(pids), time.perf_counter()
            context = multiprocessing.get_context("spawn")
            with context.Pool(args.processes) as pool:
                tallies = pool.starmap(load_process, [(base, s, args.seconds) for s in shares])
            elapsed = time.perf_counter() - clock
            cpu = cpu_seconds(pids) - cpu_before
        finally:
            stop_server(server)
    total = Tally(errors=sum(t.errors for t in tallies))
    for tally in tallies:
        for route, values in tally.latencies.items():
            total.latencies[route].extend(values)
    return Result(workers, elapsed, cpu, total, speedups)


def quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(results: list[Result], args: argparse.Namespace) -> None:
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s, {database}, "
        f"{args.processes} load process(es), load average {os.getloadavg()[0]:.1f}"
    )
    print("\n| workers | req/s | errors | server CPU ms/request | requests |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        per_request = 1000 * r.cpu / r.requests if r.requests else float("nan")
        print(
            f"| {r.workers} | {r.requests / r.seconds:.1f} | {r.tally.errors} | "
            f"{per_request:.2f} | {r.requests:,} |"
        )
    print("\n| workers | route | requests | p50 ms | p95 ms | p99 ms |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in results:
        everything: list[float] = []
        for route in (*ROUTES, "all"):
            values = everything if route == "all" else r.tally.latencies[route]
            if route != "all":
                everything.extend(values)
            figures = " | ".join(f"{1000 * quantile(values, q):.0f}" for q in (50, 95, 99))
            print(f"| {r.workers} | {route} | {len(values):,} | {figures} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="signed-in clients (people)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load lasts")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="serve --workers; several: one run each"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="load-generating processes (default 1)"
    )
    parser.add_argument(
        "--no-speedups",
        action="store_true",
        help="hide uvloop and httptools from the server (asyncio's loop and h11, to compare)",
    )
    parser.add_argument(
        "--database-url", default="", help="run against this database (default: a SQLite copy)"
    )
    args = parser.parse_args()
    results = []
    for workers in args.workers:
        result = run_once(args, workers)
        print(
            f"workers={workers}: {result.requests / result.seconds:.1f} req/s, "
            f"{1000 * result.cpu / max(result.requests, 1):.2f} CPU ms/request, "
            f"server loaded: {', '.join(result.speedups) or 'neither uvloop nor httptools'}",
            flush=True,
        )
        results.append(result)
    report(results, args)


if __name__ == "__main__":
    main()
