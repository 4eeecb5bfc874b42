"""After the run: the figures per route, and the checks that nothing was lost or doubled."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from connectwell.pulses.service import ballot_box


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def route_table(stats_csv: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Locust's per-route rows (failovers apart) and its aggregated row."""
    rows = list(csv.DictReader(stats_csv.open()))
    routes = [r for r in rows if r["Name"] != "Aggregated"]
    total = next((r for r in rows if r["Name"] == "Aggregated"), {})
    return routes, total


def print_routes(routes: list[dict[str, str]], total: dict[str, str], seconds: float) -> str:
    lines = [
        "| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    served = [r for r in routes if r["Type"] != "FAILOVER"]
    for row in sorted(served, key=lambda r: -int(r["Request Count"])):
        lines.append(_line(f"{row['Type']} {row['Name']}", row, seconds))
    if total:
        count = sum(int(r["Request Count"]) for r in served)
        lines.append(
            f"| **all** | {count} | {sum(int(r['Failure Count']) for r in served)} | "
            f"{count / seconds:.1f} | {total['50%']} | {total['95%']} | {total['99%']} | "
            f"{float(total['Max Response Time']):.0f} |"
        )
    for row in (r for r in routes if r["Type"] == "FAILOVER"):
        lines.append(f"| failover at {row['Name']} | {row['Request Count']} | | | | | | |")
    return "\n".join(lines)


def _line(label: str, row: dict[str, str], seconds: float) -> str:
    count = int(row["Request Count"])
    return (
        f"| {label} | {count} | {row['Failure Count']} | {count / seconds:.1f} | "
        f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
    )


def run_checks(
    engine: Engine,
    results: dict[str, Any],
    cast: dict[str, Any],
    received: list[Any],
    *,
    quota: int,
    repeat_minutes: int,
) -> list[Check]:
    checks = [_server_errors(results), _lost(results)]
    with engine.connect() as db:
        checks += _shoutouts(db, results, cast, quota, repeat_minutes)
        checks += _pulses(db, results, cast)
        checks += _mail(db, received, cast)
    return checks


def _server_errors(results: dict[str, Any]) -> Check:
    bad = {
        f"{route} {status}": count
        for route, statuses in results["statuses"].items()
        for status, count in statuses.items()
        if int(status) >= 500
    }
    return Check("no response >= 500", not bad, str(bad) if bad else "0")


def _lost(results: dict[str, Any]) -> Check:
    lost = dict(results["lost"])
    timeouts = dict(results.get("timeouts", {}))
    failovers = sum(results["failovers"].values())
    broken = sum(results["connection_broken_posts"].values())
    return Check(
        "no request lost on both instances, none timed out",
        not lost and not timeouts,
        f"lost {lost or 0}; timed out {timeouts or 0}; failovers {failovers} "
        f"(of them POSTs sent again: {broken})",
    )


def _shoutouts(
    db: Any, results: dict[str, Any], cast: dict[str, Any], quota: int, repeat_minutes: int
) -> list[Check]:
    baseline = cast["baseline"]["max_shoutout_id"]
    rows = db.execute(
        text(
            "SELECT s.id, p.email, s.message, s.sender_id, s.created_at FROM shoutouts s "
            "JOIN people p ON p.id = s.sender_id WHERE s.id > :base"
        ),
        {"base": baseline},
    ).all()
    saved = Counter((email, message) for _, email, message, _, _ in rows)
    acknowledged = [(a["sender"], a["message"]) for a in results["shoutouts"]]
    missing = [a for a in acknowledged if saved[a] == 0]
    doubled = [a for a in acknowledged if saved[a] > 1] + [
        key for key, n in saved.items() if n > 1 and key not in set(acknowledged)
    ]
    unacknowledged = len(set(saved) - set(acknowledged))
    broken = results["connection_broken_posts"].get("/shoutouts (give)", 0)
    via = Counter(a["via"] for a in results["shoutouts"])
    checks = [
        Check(
            "every acknowledged shout-out saved exactly once",
            not missing
            and not doubled
            and len(set(acknowledged)) == len(acknowledged)
            and unacknowledged <= broken,  # saved, but its answer was lost with the connection
            f"{len(acknowledged)} acknowledged ({dict(via)}), {len(rows)} saved in the run, "
            f"missing {len(missing)}, doubled {len(doubled)}, saved but unacknowledged "
            f"{unacknowledged}; refused as expected {dict(results['shoutouts_refused'])}",
        )
    ]
    per_day: Counter[tuple[int, dt.date]] = Counter()
    for _, _, _, sender_id, created_at in rows:
        per_day[(sender_id, created_at.astimezone(dt.UTC).date())] += 1
    counts = {
        (person_id, day): given
        for person_id, day, given in db.execute(
            text("SELECT person_id, day, given FROM shoutout_daily_counts")
        )
    }
    over = {k: n for k, n in per_day.items() if n > quota}
    mismatched = {k: (n, counts.get(k)) for k, n in per_day.items() if counts.get(k) != n}
    checks.append(
        Check(
            f"no daily quota ({quota}) beaten, counts agree",
            not over and not mismatched,
            f"{len(per_day)} (person, day); most given {max(per_day.values(), default=0)}; "
            f"over {len(over)}; count table disagreeing {len(mismatched)}",
        )
    )
    recipients = db.execute(
        text(
            "SELECT s.sender_id, r.person_id, s.created_at FROM shoutouts s JOIN "
            "shoutout_recipients r ON r.shoutout_id = s.id WHERE s.id > :base "
            "AND r.person_id IS NOT NULL ORDER BY s.created_at"
        ),
        {"base": baseline},
    ).all()
    last: dict[tuple[int, int], dt.datetime] = {}
    repeats = 0
    for sender, person, at in recipients:
        previous = last.get((sender, person))
        if previous is not None and at - previous < dt.timedelta(minutes=repeat_minutes):
            repeats += 1
        last[(sender, person)] = at
    checks.append(
        Check(f"no colleague thanked twice within {repeat_minutes} min", not repeats, str(repeats))
    )
    return checks


def _pulses(db: Any, results: dict[str, Any], cast: dict[str, Any]) -> list[Check]:
    acknowledged = {(a["email"], a["round_id"]) for a in results["pulse_answers"]}
    answered = {
        (email, round_id)
        for email, round_id in db.execute(
            text(
                "SELECT p.email, a.round_id FROM pulse_participation a JOIN people p "
                "ON p.id = a.person_id WHERE a.answered"
            )
        )
    }
    missing = acknowledged - answered
    rounds = {round_id for _, round_id in acknowledged}
    uneven = {}
    for round_id in sorted(rounds):
        marked = sum(1 for _, r in answered if r == round_id)
        ballots = db.execute(
            text("SELECT count(*) FROM ballots WHERE box = :box"), {"box": ballot_box(round_id)}
        ).scalar_one()
        if marked != ballots:
            uneven[round_id] = (marked, ballots)
    in_run = len(answered) - cast["baseline"]["answered"]
    broken = results["connection_broken_posts"].get("/pulses/[id] (answer)", 0)
    via = Counter(a["via"] for a in results["pulse_answers"])
    return [
        Check(
            "every acknowledged pulse answer counted once",
            not missing and not uneven and in_run - len(acknowledged) <= broken,
            f"{len(acknowledged)} acknowledged ({dict(via)}), {in_run} answered in the run; "
            f"missing {len(missing)}; rounds whose ballots differ from answers {uneven or 0}",
        )
    ]


def _mail(db: Any, received: list[Any], cast: dict[str, Any]) -> list[Check]:
    rows = db.execute(
        text(
            "SELECT id, person_id, to_address, kind, link, message_id, status, created_at "
            "FROM outbox_emails"
        )
    ).all()
    arrived: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for item in received:
        arrived[item.message_id].append(item.recipients)
    by_status = Counter(r.status for r in rows)
    sent = [r for r in rows if r.status == "sent"]
    wrong = [
        r.id
        for r in sent
        if len(arrived.get(r.message_id, [])) != 1
        or arrived[r.message_id][0] != (r.to_address.lower(),)
    ]
    known = {r.message_id for r in rows}
    twice = [m for m, got in arrived.items() if len(got) > 1]
    strangers = [m for m in arrived if m not in known]
    kinds = Counter(r.kind for r in sent)
    since = dt.datetime.fromisoformat(cast["arranged"]["now"])
    # One message per person and thing it is about (its link: the group, the pulse round,
    # the shout-out); a digest once per person (one week in a run).
    once = Counter(
        (r.kind, r.person_id, "" if r.kind == "digest" else r.link)
        for r in rows
        if r.created_at >= since
    )
    doubled = Counter(kind for (kind, _, _), n in once.items() if n > 1)
    return [
        Check(
            "every e-mail sent arrived exactly once, to its recipient",
            not wrong and not twice and not strangers,
            f"{len(sent)} sent ({dict(kinds)}); {len(received)} arrived; wrong {len(wrong)}, "
            f"twice {len(twice)}, unknown {len(strangers)}",
        ),
        Check(
            "one message per person and subject (intro, invitation, digest...)",
            not doubled and kinds["intro"] > 0 and kinds["digest"] > 0,
            f"people told twice, by kind: {dict(doubled) or 0}; intros {kinds['intro']}, "
            f"digests {kinds['digest']} ({cast['arranged']['digests_due']} were due)",
        ),
        Check(
            "outbox: nothing stuck in sending",
            by_status["sending"] == 0,
            f"{dict(by_status)}",
        ),
    ]


def print_checks(checks: list[Check]) -> str:
    lines = ["| check | result | detail |", "|---|---|---|"]
    lines += [f"| {c.name} | {'ok' if c.ok else 'FAILED'} | {c.detail} |" for c in checks]
    return "\n".join(lines)
