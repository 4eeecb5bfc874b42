"""Two app instances and two workers on one PostgreSQL under locust, then the checks.

    .venv/bin/python benchmarks/load/run.py --users 100 --minutes 10 [--kill-one-at SECONDS]

1. A fresh database (``--server``, named ``--db-name``; dropped at the end unless ``--keep``),
   migrated and seeded with the demo organisation; everyone gets the demo password; a pairing
   round, a pulse round and this week's digest are made due (``scenario.py``).
2. An SMTP sink on loopback records every message; 2 ``python -m connectwell serve
   --no-worker`` instances serve the app; one headless locust process runs ``locustfile.py``.
3. ``--workers-at`` seconds into the load, 2 ``python -m connectwell.worker`` processes start:
   their first pass computes the round and sends its intros, the pulse invitations and the
   digests while the members use the app; they keep delivering mail every 15 s.
4. With ``--kill-one-at S``, the first instance gets SIGKILL S seconds into the load and is
   started again 10 s later; its users fail over to the other one.
5. When locust ends, the workers get up to ``--drain`` seconds to deliver the outbox, then
   stop (SIGTERM); the checks run (``checks.py``) and print with the figures per route.
   The exit status is 0 only when every check passed.

Everything this run writes (logs, locust CSVs, the summary) goes to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "src")]  # this checkout's code, here and in children


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--spawn-rate", type=float, default=0.0, help="default: users / 10")
    parser.add_argument("--kill-one-at", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--restart-after", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--workers-at", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--drain", type=float, default=120.0, metavar="SECONDS")
    parser.add_argument("--people", type=int, default=240, help="demo organisation size")
    parser.add_argument("--wait", default="0.1,0.5", help="think time between tasks, seconds")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--db-name", default=f"connectwell_load_{os.getpid()}")
    parser.add_argument("--ports", default="8101,8102")
    parser.add_argument("--smtp-port", type=int, default=8125)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args()


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Processes:
    """The app instances and workers, each with its log."""

    def __init__(self, out: Path, env: dict[str, str]) -> None:
        self.out, self.env = out, env
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.out / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.started[name] = process
        return process

    def stop(self, name: str, grace: float = 30.0) -> None:
        process = self.started.get(name)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outbox_open(engine: object) -> int:
    from sqlalchemy import text

    with engine.connect() as db:  # type: ignore[attr-defined]
        return int(
            db.execute(
                text("SELECT count(*) FROM outbox_emails WHERE status IN ('pending', 'sending')")
            ).scalar_one()
        )


def main() -> int:
    args = parse()
    out = args.out or Path(f"/tmp/connectwell-load-{time.strftime('%Y%m%d-%H%M%S')}")  # noqa: S108
    out.mkdir(parents=True, exist_ok=True)
    ports = [int(p) for p in args.ports.split(",")]
    instances = [f"http://127.0.0.1:{port}" for port in ports]
    database_url = f"{args.server}/{args.db_name}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
        ),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "INSTANCE_PATH": str(out / "instance"),
        "BASE_URL": instances[0],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(args.smtp_port),
        "SMTP_STARTTLS": "false",
        "LOAD_CAST": str(out / "cast.json"),
        "LOAD_INSTANCES": ",".join(instances),
        "LOAD_RESULTS": str(out / "results.json"),
        "LOAD_WAIT": args.wait,
    }
    os.environ.update(env)  # this process seeds with the same settings the app reads

    import checks
    import scenario
    from sink import SmtpSink

    from connectwell.core.config import get_settings
    from connectwell.core.db import make_engine

    settings = get_settings()
    print(f"database {args.db_name}; output in {out}", flush=True)
    scenario.create_database(args.server, args.db_name)
    processes = Processes(out, env)
    sink = SmtpSink(args.smtp_port)
    engine = make_engine(settings.database_url)
    exit_status = 1
    try:
        started = time.monotonic()
        cast = scenario.prepare(settings.database_url, people_count=args.people)
        cast.write(out / "cast.json")
        print(
            f"seeded {args.people} people in {time.monotonic() - started:.0f} s: "
            f"{len(cast.members)} members, {len(cast.leads)} leads; arranged {cast.arranged}",
            flush=True,
        )
        sink.start()
        serve = ["-m", "connectwell", "serve", "--no-worker", "--port"]
        for index, port in enumerate(ports):
            processes.start(f"app{index + 1}", [*serve, str(port)])
        for url in instances:
            wait_until_up(url)
        seconds = round(args.minutes * 60)
        rate = args.spawn_rate or max(1.0, args.users / 10)
        locust = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(rate),
                "-t",
                f"{seconds}s",
                "--csv",
                str(out / "locust"),
                "--host",
                instances[0],
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            env=env,
            stdout=(out / "locust.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        begin = time.monotonic()
        events = sorted(
            [(args.workers_at, "workers")]
            + (
                [(args.kill_one_at, "kill"), (args.kill_one_at + args.restart_after, "restart")]
                if args.kill_one_at is not None
                else []
            )
        )
        loads: list[float] = []
        cpu: dict[str, float] = {}  # CPU seconds of each process, last seen
        while locust.poll() is None:
            elapsed = time.monotonic() - begin
            while events and events[0][0] <= elapsed:
                _, what = events.pop(0)
                if what == "workers":
                    for n in (1, 2):
                        processes.start(f"worker{n}", ["-m", "connectwell.worker"])
                elif what == "kill":
                    processes.started["app1"].kill()
                    print(f"{elapsed:.0f} s: app1 killed (SIGKILL)", flush=True)
                else:
                    processes.start("app1", [*serve, str(ports[0])])
                    print(f"{elapsed:.0f} s: app1 started again", flush=True)
            loads.append(os.getloadavg()[0])
            for name, process in [("locust", locust), *processes.started.items()]:
                if (used := cpu_seconds(process.pid)) is not None:
                    cpu[f"{name}:{process.pid}"] = used
            time.sleep(1)
        duration = time.monotonic() - begin
        for _, what in events:  # a run shorter than --workers-at still gets its workers
            if what == "workers":
                for n in (1, 2):
                    processes.start(f"worker{n}", ["-m", "connectwell.worker"])
        deadline = time.monotonic() + args.drain
        while (left := outbox_open(engine)) and time.monotonic() < deadline:
            time.sleep(2)
        print(f"outbox after the run: {left} pending or sending", flush=True)
        for name, process in processes.started.items():
            if (used := cpu_seconds(process.pid)) is not None:
                cpu[f"{name}:{process.pid}"] = used
        for name in ("worker1", "worker2", "app1", "app2"):
            processes.stop(name)
        by_role: dict[str, float] = {}
        for key, used in cpu.items():
            role = key.split(":")[0].rstrip("0123456789")
            by_role[role] = by_role.get(role, 0.0) + used
        results = json.loads((out / "results.json").read_text())
        routes, total = checks.route_table(out / "locust_stats.csv")
        found = checks.run_checks(
            engine,
            results,
            json.loads((out / "cast.json").read_text()),
            list(sink.sink.received),
            quota=settings.shoutout_daily_quota,
            repeat_minutes=settings.shoutout_repeat_minutes,
        )
        load = sum(loads) / len(loads) if loads else 0.0
        report = "\n\n".join(
            [
                f"{args.users} users, {duration:.0f} s of load, kill at {args.kill_one_at}; "
                f"mean 1-min load average {load:.1f} on {os.cpu_count()} cores; CPU seconds "
                + ", ".join(f"{role} {used:.0f}" for role, used in sorted(by_role.items())),
                checks.print_routes(routes, total, duration),
                checks.print_checks(found),
            ]
        )
        print(report, flush=True)
        (out / "summary.md").write_text(report + "\n")
        exit_status = 0 if all(c.ok for c in found) else 1
    finally:
        for name in list(processes.started):
            processes.stop(name, grace=10)
        sink.stop()
        engine.dispose()
        if not args.keep:
            scenario.drop_database(args.server, args.db_name)
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
