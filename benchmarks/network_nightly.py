"""Benchmark: the nightly network job end to end from PostgreSQL, 100,000 people, 2,000,000
interactions.

    .venv/bin/python benchmarks/network_nightly.py --people 100000 --interactions 2000000 --runs 3

Builds its own database on ``--server`` (created, migrated with
``connectwell.core.db.migrate.upgrade``, loaded with ``COPY`` and dropped at the end; ``--keep``
leaves it, ``--reuse`` runs on a kept one). The organisation is
``connectwell.demo.generator.generate_org``; who interacts with whom is drawn as in
``network_measures.py`` (75% inside the team, 15% a sibling team, 10% anyone). The
``--interactions`` are what the gather counts, spread uniformly over the year it reads (the
year up to the end of the last closed period): 55% shout-outs to a person (15% of shout-outs
have two recipients), 45% met pairings (pairs, and groups of three in a monthly programme:
three interactions each). Around them, rows it must skip: pairings nobody said they met
(10%), hidden shout-outs (3%), shout-outs to a whole team (5%), and met pairings and
shout-outs outside the year it reads (10%: before it, and in the current open period).

Each run is a fresh process that runs the real ``insights`` job through
``connectwell.worker.runner.run_job`` (its claim, its one transaction, its commit), with the
steps timed by wrapping the functions the job calls: the gather (SQL to Python rows), turning
the rows into arrays, ``build_network``, the measures, the anonymity gate and bands, writing
the snapshots and committing. Peak memory is the process's maximum RSS
(``resource.getrusage``). The stored snapshots are hashed, so two versions of the code can be
compared for identical results. ``--profile`` prints a cProfile of the job (run 1).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import hashlib
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Table, create_engine, text
from sqlalchemy.engine import make_url

from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.migrate import upgrade
from connectwell.insights.network import HORIZON, last_closed_period

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "connectwell_bench_nightly"
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
STEPS = (
    "gather (SQL -> rows)",
    "rows -> arrays (people, index, ages)",
    "build_network x2",
    "measures (isolation, measure)",
    "gate and bands",
    "write snapshots",
    "claim and commit",
)
SECRET = "benchmark-secret-key-" + "x" * 32


def _url(server: str, database: str) -> str:
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=database).render_as_string(hide_password=False)


def create_database(server: str, database: str) -> str:
    admin = create_engine(_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return _url(server, database)


def drop_database(server: str, database: str) -> None:
    admin = create_engine(_url(server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
    admin.dispose()


# ---------------------------------------------------------------------------- building


def _default(table: Table, name: str) -> Any:
    default = table.c[name].default
    assert default is not None
    if default.is_scalar:  # type: ignore[attr-defined]
        return default.arg  # type: ignore[attr-defined]
    assert default.arg.__name__ in ("utcnow",), f"{table.name}.{name}"  # type: ignore[attr-defined]
    return NOW


def copy_rows(engine: Engine, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """COPY ``rows`` into ``table``; the not-null columns not given get their model default."""
    extra = [
        c.name
        for c in table.columns
        if c.name not in columns and not c.nullable and c.default is not None
    ]
    tail = tuple(_default(table, name) for name in extra)
    count = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statement = f"COPY {table.name} ({', '.join([*columns, *extra])}) FROM STDIN"
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        raw.commit()
    finally:
        raw.close()
    return count


def _fix_self(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], people: int) -> None:
    """Shift ``b`` where it equals ``a`` (in place)."""
    same = a == b
    b[same] = (b[same] + 1) % people


def build(engine: Engine, people: int, interactions: int, seed: int) -> dict[str, Any]:
    """Fill the database; returns what was loaded (row counts and seconds)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from network_measures import interactions as draw

    from connectwell.demo.generator import generate_org
    from connectwell.people.models import Person, Team
    from connectwell.programs.models import Group, GroupMember, Program, Round
    from connectwell.shoutouts.models import Recipient, ShoutOut

    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    org = generate_org(people, seed=seed, today=NOW.date())
    team_number = {team.path: k for k, team in enumerate(org.teams)}
    parent = np.array(
        [team_number[t.parent_path] if t.parent_path else -1 for t in org.teams], dtype=np.int64
    )
    team = np.array([team_number[p.team] for p in org.people], dtype=np.int64)
    n = len(org.people)
    loaded: dict[str, Any] = {"teams": len(org.teams), "people": n}

    # Teams and people; ids are positions + 1.
    copy_rows(
        engine,
        Team.__table__,  # type: ignore[arg-type]
        ("id", "name", "parent_id"),
        (
            (k + 1, t.name, team_number[t.parent_path] + 1 if t.parent_path else None)
            for k, t in enumerate(org.teams)
        ),
    )
    inactive = rng.random(n) < 0.02  # people who left: not counted
    copy_rows(
        engine,
        Person.__table__,  # type: ignore[arg-type]
        ("id", "email", "name", "title", "team_id", "timezone", "location", "is_active"),
        (
            (k + 1, p.email, p.name, p.title, int(team[k]) + 1, p.timezone, p.location, not off)
            for k, (p, off) in enumerate(zip(org.people, inactive.tolist(), strict=True))
        ),
    )

    # The year the gather reads: [since, last]; outside it: a quarter before and the open period.
    last = last_closed_period(NOW.date())[1]
    since = last - HORIZON
    year = (last - since).days + 1
    before = since - dt.timedelta(days=91)
    after_days = (NOW.date() - last).days  # the open period so far

    # Who with whom: enough draws for everything (counted, noise, triangles' third members).
    shout_rows = round(interactions * 0.55)
    pair_interactions = interactions - shout_rows
    triangles = pair_interactions // 30
    pairs = pair_interactions - 3 * triangles
    noise_groups = pairs // 10
    outside_groups = pairs // 10
    outside_shouts = shout_rows // 10
    total = shout_rows + pairs + 2 * triangles + noise_groups + outside_groups + outside_shouts
    drawn = draw(team, parent, total, seed)
    source, target = drawn["source"], drawn["target"]
    cursor = 0

    def take(count: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        nonlocal cursor
        a, b = source[cursor : cursor + count], target[cursor : cursor + count]
        cursor += count
        return a, b

    # Programmes and rounds: weekly coffee, biweekly across teams, monthly groups of three.
    programs = [
        ("Coffee", "coffee", 2, 7),
        ("Across teams", "coffee", 2, 14),
        ("Lunch", "groups", 3, 28),
    ]
    first_day = before
    round_rows: list[tuple[int, int, dt.date]] = []
    for number, (_, _, _, every) in enumerate(programs, 1):
        day = first_day
        while day <= NOW.date():
            round_rows.append((len(round_rows) + 1, number, day))
            day += dt.timedelta(days=every)
    copy_rows(
        engine,
        Program.__table__,  # type: ignore[arg-type]
        ("id", "name", "kind", "group_size", "starts_on"),
        ((k, name, kind, size, first_day) for k, (name, kind, size, _) in enumerate(programs, 1)),
    )
    copy_rows(
        engine,
        Round.__table__,  # type: ignore[arg-type]
        ("id", "program_id", "round_on"),
        iter(round_rows),
    )
    round_ids = np.array([r[0] for r in round_rows], dtype=np.int64)
    round_program = np.array([r[1] for r in round_rows], dtype=np.int64)
    round_day = np.array([(r[2] - since).days for r in round_rows], dtype=np.int64)
    inside = (round_day >= 0) & (round_day < year)

    def rounds_for(programs_: Sequence[int], count: int, *, within: bool) -> npt.NDArray[np.int64]:
        pick = np.isin(round_program, programs_) & (inside if within else ~inside)
        return rng.choice(round_ids[pick], size=count)

    groups: list[tuple[int, int, str, dt.datetime]] = []
    members: list[tuple[int, int, int, bool | None]] = []
    met_choices = np.array([True, None, False], dtype=object)

    def add_groups(
        people_: Sequence[npt.NDArray[np.int64]], round_of: npt.NDArray[np.int64], met: bool
    ) -> None:
        others = met_choices[rng.choice(3, size=(len(people_), len(round_of)), p=[0.7, 0.2, 0.1])]
        for k, round_id in enumerate(round_of.tolist()):
            group_id = len(groups) + 1
            groups.append((group_id, round_id, f"bench-{group_id}", NOW))
            for position, column in enumerate(people_):
                # Someone said they met (the first), or nobody did.
                said = (True if position == 0 else others[position][k]) if met else None
                members.append((len(members) + 1, group_id, int(column[k]) + 1, said))

    a, b = take(pairs)
    add_groups([a, b], rounds_for([1, 2], pairs, within=True), met=True)
    a, b = take(triangles)
    _, c = take(triangles)
    _fix_self(a, c, n)
    _fix_self(b, c, n)
    _fix_self(a, c, n)
    add_groups([a, b, c], rounds_for([3], triangles, within=True), met=True)
    a, b = take(noise_groups)
    add_groups([a, b], rounds_for([1, 2], noise_groups, within=True), met=False)
    a, b = take(outside_groups)
    add_groups([a, b], rounds_for([1, 2], outside_groups, within=False), met=True)
    slot = dt.timedelta(minutes=30)
    loaded["groups"] = copy_rows(
        engine,
        Group.__table__,  # type: ignore[arg-type]
        ("id", "round_id", "uid", "slot_start", "slot_end"),
        ((g, r, uid, at, at + slot) for g, r, uid, at in groups),
    )
    loaded["group_members"] = copy_rows(
        engine,
        GroupMember.__table__,  # type: ignore[arg-type]
        ("id", "group_id", "person_id", "met"),
        iter(members),
    )
    groups.clear()
    members.clear()

    # Shout-outs: recipient rows; 15% of rows continue the previous shout-out (two recipients).
    a, b = take(shout_rows)
    a, b = a.copy(), b.copy()
    second = rng.random(shout_rows) < 0.15
    second[0] = False
    second[1:] &= ~second[:-1]  # at most two recipients
    shout_of = np.cumsum(~second)  # shout-out number from 1
    a[second] = a[np.flatnonzero(second) - 1]
    _fix_self(a, b, n)
    twice = np.zeros(shout_rows, dtype=bool)
    twice[1:] = second[1:] & (b[1:] == b[:-1])
    b[twice] = (b[twice] + 2) % n
    _fix_self(a, b, n)
    shouts = int(shout_of[-1])
    seconds = rng.integers(0, year * 86_400, size=shouts)
    # Outside: before the year or in the open period; hidden ones inside; to whole teams.
    o_a, o_b = take(outside_shouts)
    _fix_self(o_a, o_b, n)
    span_before = (since - before).days * 86_400
    span_after = max(after_days, 1) * 86_400
    o_offset = rng.integers(0, span_before + span_after, size=outside_shouts)
    o_seconds = np.where(
        o_offset < span_before, o_offset - span_before, year * 86_400 + o_offset - span_before
    )
    hidden_count = shouts * 3 // 100
    h_a, h_b = source[:hidden_count], target[:hidden_count]
    team_count = shouts * 5 // 100
    t_sender = rng.integers(0, n, size=team_count)
    t_team = rng.integers(0, len(org.teams), size=team_count)
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    pathways = ("respect", "enabling", "trust", "play")

    def shout_row(sid: int, sender: int, offset: int, hidden: bool) -> tuple:
        at = start + dt.timedelta(seconds=offset)
        return (
            sid,
            sender + 1,
            f"Thank you! #{sid}",
            f"{sid:064x}",
            pathways[sid % 4],
            "everyone",
            at,
            at if hidden else None,
        )

    first_rows = np.flatnonzero(~second)
    senders = a[first_rows]
    hidden_seconds = rng.integers(0, year * 86_400, size=hidden_count)
    t_seconds = rng.integers(0, year * 86_400, size=team_count)

    def all_shouts() -> Iterable[tuple]:
        sid = 0
        for sender, offset in zip(senders.tolist(), seconds.tolist(), strict=True):
            sid += 1
            yield shout_row(sid, sender, offset, False)
        for sender, offset in zip(o_a.tolist(), o_seconds.tolist(), strict=True):
            sid += 1
            yield shout_row(sid, sender, offset, False)
        for sender, offset in zip(h_a.tolist(), hidden_seconds.tolist(), strict=True):
            sid += 1
            yield shout_row(sid, sender, offset, True)
        for sender, offset in zip(t_sender.tolist(), t_seconds.tolist(), strict=True):
            sid += 1
            yield shout_row(sid, sender, offset, False)

    def all_recipients() -> Iterable[tuple]:
        rid = 0
        for sid, person in zip(shout_of.tolist(), b.tolist(), strict=True):
            rid += 1
            yield (rid, sid, person + 1, None, int(team[person]) + 1)
        sid = shouts
        for person in o_b.tolist():
            rid += 1
            sid += 1
            yield (rid, sid, person + 1, None, int(team[person]) + 1)
        for sender, person in zip(h_a.tolist(), h_b.tolist(), strict=True):
            rid += 1
            sid += 1
            yield (rid, sid, (person if person != sender else (person + 1) % n) + 1, None, None)
        for team_id in t_team.tolist():
            rid += 1
            sid += 1
            yield (rid, sid, None, team_id + 1, team_id + 1)

    loaded["shoutouts"] = copy_rows(
        engine,
        ShoutOut.__table__,  # type: ignore[arg-type]
        (
            "id",
            "sender_id",
            "message",
            "message_hash",
            "pathway",
            "visibility",
            "created_at",
            "hidden_at",
        ),
        all_shouts(),
    )
    loaded["recipients"] = copy_rows(
        engine,
        Recipient.__table__,  # type: ignore[arg-type]
        ("id", "shoutout_id", "person_id", "team_id", "recipient_team_id"),
        all_recipients(),
    )
    with engine.connect() as connection:
        for table in (
            "teams",
            "people",
            "programs",
            "rounds",
            "groups",
            "group_members",
            "shoutouts",
            "shoutout_recipients",
        ):
            connection.execute(
                text(f"SELECT setval('{table}_id_seq', (SELECT coalesce(max(id), 1) FROM {table}))")  # noqa: S608
            )
        connection.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a load
    loaded["counted"] = {"shoutout": shout_rows, "pairing_met": pairs + 3 * triangles}
    loaded["build_s"] = time.perf_counter() - began
    return loaded


# ---------------------------------------------------------------------------- one run


def _timing(steps: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - began

    return wrapper


def child(options: argparse.Namespace) -> dict[str, Any]:
    from connectwell.core.config import Settings
    from connectwell.insights import network, snapshots
    from connectwell.worker import runner
    from connectwell.worker.jobs import JOBS

    raw: dict[str, float] = {}
    # The job's gather: ``gather_arrays`` since the optimisation, ``gather`` before it.
    gather = "gather_arrays" if hasattr(network, "gather_arrays") else "gather"
    for name in (gather, "build_network", "isolation", "measure", "_gate"):
        setattr(network, name, _timing(raw, name, getattr(network, name)))
    for name in ("plan_counts", "count_bands"):
        setattr(network, name, _timing(raw, "_gate", getattr(network, name)))
    gathered: list[int] = []
    timed_gather = getattr(network, gather)

    def counting_gather(*args: Any, **kwargs: Any) -> Any:
        found = timed_gather(*args, **kwargs)
        gathered.append(len(found.source))
        return found

    setattr(network, gather, counting_gather)
    snapshots.network_figures = _timing(raw, "network_figures", snapshots.network_figures)
    snapshots.store_network = _timing(raw, "store_network", snapshots.store_network)

    settings = Settings(database_url=options.url, secret_key=SECRET, anonymity_floor=5)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    [job] = [job for job in JOBS if job.name == "insights"]
    with engine.connect() as connection:  # connect before timing, as a running worker has
        connection.execute(text("SELECT 1"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    profile = cProfile.Profile() if options.profile else None
    began = time.perf_counter()
    if profile:
        profile.enable()
    line = runner.run_job(factory, settings, job, NOW)
    if profile:
        profile.disable()
    total = time.perf_counter() - began
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
        print(out.getvalue(), file=sys.stderr)
    figures_s = raw["network_figures"]
    inner = raw[gather] + raw["build_network"] + raw["isolation"] + raw["measure"] + raw["_gate"]
    steps = {
        "gather (SQL -> rows)": raw[gather],
        "rows -> arrays (people, index, ages)": figures_s - inner,
        "build_network x2": raw["build_network"],
        "measures (isolation, measure)": raw["isolation"] + raw["measure"],
        "gate and bands": raw["_gate"],
        "write snapshots": raw["store_network"] - figures_s,
        "claim and commit": total - raw["store_network"],
    }
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT scope, payload FROM insight_snapshots ORDER BY scope")
        ).all()
        org = next(json.loads(p) if isinstance(p, str) else p for s, p in stored if s == "org")
    digest = hashlib.sha256(
        json.dumps([[s, p] for s, p in stored], sort_keys=True, default=str).encode()
    ).hexdigest()
    engine.dispose()
    return {
        "line": line,
        "steps": steps,
        "total_s": total,
        "rss_before_mib": rss_before,
        "peak_rss_mib": rss,
        "scopes": len(stored),
        "gathered": gathered[0],
        "org": org,
        "digest": digest[:16],
        "load_average": os.getloadavg()[0],
    }


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server URL")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="run on a kept database")
    parser.add_argument("--profile", action="store_true", help="cProfile run 1 (stderr)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options), default=str))
        return
    if options.build:
        engine = make_engine(options.url)
        began = time.perf_counter()
        upgrade(engine)
        print(f"migrated in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
        print(json.dumps(build(engine, options.people, options.interactions, options.seed)))
        engine.dispose()
        return

    url = _url(options.server, options.database)
    if not options.reuse:
        url = create_database(options.server, options.database)
        # In its own process, so that the runs' peak RSS is not the build's (a child starts
        # with its parent's high-water mark).
        command = [sys.executable, __file__, "--build", "--url", url]
        command += ["--people", str(options.people), "--interactions", str(options.interactions)]
        command += ["--seed", str(options.seed)]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
        loaded = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"built in {loaded['build_s']:.0f} s: {loaded['people']:,} people in "
            f"{loaded['teams']:,} teams; {loaded['groups']:,} groups ({loaded['group_members']:,} "
            f"members), {loaded['shoutouts']:,} shout-outs ({loaded['recipients']:,} recipients); "
            f"counted interactions {loaded['counted']}",
            flush=True,
        )
    engine = make_engine(url)
    try:
        runs: list[dict[str, Any]] = []
        for run in range(options.runs):
            with engine.begin() as connection:  # the claim of the night: the job runs again
                connection.execute(text("DELETE FROM job_claims WHERE job = 'insights'"))
            command = [sys.executable, __file__, "--child", "--url", url]
            if options.profile and run == 0:
                command.append("--profile")
            done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
            if done.returncode:
                print(done.stdout, done.stderr, file=sys.stderr)
                raise SystemExit(done.returncode)
            if done.stderr:
                print(done.stderr, file=sys.stderr)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            runs.append(figures)
            print(
                f"run {run + 1}: {figures['line']}; total {figures['total_s']:.2f} s, peak RSS "
                f"{figures['peak_rss_mib']:.0f} MiB, load average {figures['load_average']:.1f}, "
                f"snapshots {figures['digest']}",
                flush=True,
            )
    finally:
        engine.dispose()
        if not options.keep:
            drop_database(options.server, options.database)

    print(f"\n| step | {' | '.join(f'run {i + 1}' for i in range(len(runs)))} | median |")
    print(f"|---|{'---:|' * (len(runs) + 1)}")
    for step in (*STEPS, "total"):
        values = [r["total_s"] if step == "total" else r["steps"][step] for r in runs]
        cells = " | ".join(f"{v:.2f} s" for v in values)
        print(f"| {step} | {cells} | {statistics.median(values):.2f} s |")
    for key, label in (("rss_before_mib", "RSS before the job"), ("peak_rss_mib", "peak RSS")):
        values = [r[key] for r in runs]
        cells = " | ".join(f"{v:,.0f} MiB" for v in values)
        print(f"| {label} | {cells} | {statistics.median(values):,.0f} MiB |")
    org = runs[0]["org"]["network"]
    print(
        f"\ngathered {runs[0]['gathered']:,} interactions; {runs[0]['scopes']:,} scopes stored; "
        f"organisation: {org['people']:,} people, few recorded connections "
        f"{org['few_connections_low']}-{org['few_connections_high']}, "
        f"modularity {org['modularity']}, reciprocity {org['reciprocity']}; snapshots digest "
        f"{', '.join(sorted({r['digest'] for r in runs}))}"
    )
    median_total = statistics.median(r["total_s"] for r in runs)
    print(
        f"target <= 30 s: {'met' if median_total <= 30 else 'MISSED'} ({median_total:.2f} s median)"
    )


if __name__ == "__main__":
    main()
