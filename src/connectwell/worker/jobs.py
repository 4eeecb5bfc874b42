"""The scheduled jobs, all in one list. Each runs in its own transaction, but delivery.

Every job gets the time it runs at (``now``), the one clock of a run, so a test runs the jobs
at a time it chooses. A job with a ``period`` claims it (see :mod:`connectwell.core.db.claims`)
and so runs once per period however many workers there are; a job without one is safe to run
anywhere at any time. ``deliver-email`` commits step by step (a message is marked ``sending``
before SMTP has it, see :mod:`connectwell.core.notify.delivery`), so it gets the session
factory instead of a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from connectwell.accounts import service as accounts
from connectwell.core.config import Settings
from connectwell.core.notify import deliver_pending
from connectwell.digests import service as digests
from connectwell.insights import network, publish, snapshots
from connectwell.programs import answers, intros, rounds
from connectwell.pulses import counting
from connectwell.pulses import service as pulses

Run = Callable[[Session, Settings, dt.datetime], str]
RunCommitting = Callable[[sessionmaker[Session], Settings, str], str]


@dataclass(frozen=True)
class Job:
    """A job: ``run`` in one transaction, or ``run_committing`` (given the session factory
    and the worker's name) when it must commit step by step."""

    name: str
    every: dt.timedelta
    run: Run | None = None
    period: Callable[[dt.datetime], str] | None = None
    run_committing: RunCommitting | None = None

    def __post_init__(self) -> None:
        if (self.run is None) == (self.run_committing is None):
            raise ValueError(f"job {self.name}: give exactly one of run and run_committing")
        if self.run_committing is not None and self.period is not None:
            raise ValueError(f"job {self.name}: a committing job cannot claim a period")


def deliver_email(factory: sessionmaker[Session], settings: Settings, worker: str) -> str:
    report = deliver_pending(factory, settings, worker=worker)
    return f"{report.sent} sent, {report.failed} failed"


def forget_login_failures(session: Session, settings: Settings, now: dt.datetime) -> str:
    return f"{accounts.forget_old_failures(session, settings)} old sign-in failures forgotten"


def run_due_rounds(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Compute every programme round whose first intro time has come (claimed by its row)."""
    ran = []
    for program, round_on in rounds.due_rounds(session, now):
        row = rounds.run_round(
            session,
            program,
            round_on,
            actor=None,
            settings=settings,
            connections=network.connection_counts,
        )
        if row is not None:
            ran.append(f"{program.name} {round_on}: {row.participants} people")
    return "; ".join(ran) or "no round due"


def send_intros(session: Session, settings: Settings, now: dt.datetime) -> str:
    return f"{intros.send_due_intros(session, settings, now)} intros sent"


def send_followups(session: Session, settings: Settings, now: dt.datetime) -> str:
    return f"{intros.send_due_followups(session, settings, now)} follow-ups sent"


def send_digests(session: Session, settings: Settings, now: dt.datetime) -> str:
    """The weekly digest to each person whose team's local day and hour has come (once:
    the unique (person, week) delivery row)."""
    return f"{digests.send_due_digests(session, settings, now)} digests sent"


def open_pulse_rounds(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Open every pulse round whose first time zone has reached its hour (claimed by its row)."""
    opened = [
        f"{pulse.name} {day}"
        for pulse, day in pulses.due_rounds(session, now)
        if pulses.open_round(session, pulse, day, actor=None) is not None
    ]
    return "; ".join(opened) or "no pulse due"


def send_pulse_invitations(session: Session, settings: Settings, now: dt.datetime) -> str:
    return f"{pulses.send_due_invitations(session, settings, now)} pulse invitations sent"


def send_pulse_reminders(session: Session, settings: Settings, now: dt.datetime) -> str:
    return f"{pulses.send_due_reminders(session, settings, now)} pulse reminders sent"


def count_pulse_rounds(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Open the ballot box of every closed, uncounted pulse round and store its answers."""
    return f"{counting.count_closed_rounds(session, settings, now)} pulse rounds counted"


def count_check_ins(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Store the sealed micro check-ins of every programme round whose last day has passed."""
    counted = answers.count_closed_check_ins(session, settings, now)
    return f"check-ins of {counted} programme rounds counted"


def publish_results(session: Session, settings: Settings, now: dt.datetime) -> str:
    """Publish every counted, unpublished pulse round and programme round's check-ins, once
    (the unique (kind, round) of a publication is the claim)."""
    done = publish.publish_due(session, floor=settings.anonymity_floor, now=now)
    return "; ".join(f"published {what}" for what in done) or "nothing to publish"


def refresh_network(session: Session, settings: Settings, now: dt.datetime) -> str:
    """The connection network, once a night (no answers: those are published per round)."""
    count = snapshots.store_network(session, today=now.date(), floor=settings.anonymity_floor)
    return f"network figures for {count} scopes"


def _day(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%d")


def _hour(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


JOBS: tuple[Job, ...] = (
    Job("program-rounds", dt.timedelta(minutes=5), run_due_rounds),
    Job("program-intros", dt.timedelta(minutes=1), send_intros),
    Job("program-followups", dt.timedelta(minutes=15), send_followups),
    Job("deliver-email", dt.timedelta(seconds=15), run_committing=deliver_email),
    Job("forget-login-failures", dt.timedelta(hours=1), forget_login_failures, period=_hour),
    Job("weekly-digests", dt.timedelta(minutes=5), send_digests),
    Job("pulse-rounds", dt.timedelta(minutes=5), open_pulse_rounds),
    Job("pulse-invitations", dt.timedelta(minutes=1), send_pulse_invitations),
    Job("pulse-reminders", dt.timedelta(minutes=30), send_pulse_reminders),
    Job("pulse-count", dt.timedelta(minutes=5), count_pulse_rounds),
    Job("check-in-count", dt.timedelta(minutes=15), count_check_ins),
    # After the ballots' counting jobs: a round is published once it was counted.
    Job("publish-results", dt.timedelta(minutes=15), publish_results),
    Job("insights", dt.timedelta(hours=1), refresh_network, period=_day),
)
