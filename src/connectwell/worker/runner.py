"""Run the jobs of :mod:`connectwell.worker.jobs` on their schedule."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import claim, transaction, utcnow
from connectwell.worker.jobs import JOBS, Job

log = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


def run_job(factory: sessionmaker[Session], settings: Settings, job: Job, now: dt.datetime) -> str:
    """Run one job at ``now`` in one transaction; a claimed period already taken is skipped.

    A committing job (delivery) gets the session factory and opens its own transactions.
    """
    if job.run_committing is not None:
        return f"{job.name}: {job.run_committing(factory, settings, WORKER_NAME)}"
    assert job.run is not None
    with transaction(factory) as session:
        if job.period is not None and not claim(
            session, job.name, job.period(now), worker=WORKER_NAME
        ):
            return f"{job.name}: period {job.period(now)} already claimed"
        return f"{job.name}: {job.run(session, settings, now)}"


def run_due(
    factory: sessionmaker[Session],
    settings: Settings,
    last_run: dict[str, dt.datetime] | None = None,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
) -> list[str]:
    """Run every job whose interval has passed since ``last_run`` (all of them when empty),
    each at ``now`` (the current time when omitted); stop early once ``stop`` is set."""
    now = now or utcnow()
    last_run = {} if last_run is None else last_run
    lines = []
    for job in JOBS:
        if stop is not None and stop.is_set():
            break
        previous = last_run.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        last_run[job.name] = now
        try:
            lines.append(run_job(factory, settings, job, now))
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", job.name)
            lines.append(f"{job.name}: failed")
    return lines


def run_forever(
    factory: sessionmaker[Session], settings: Settings, stop: threading.Event, tick: float = 5.0
) -> None:
    last_run: dict[str, dt.datetime] = {}
    log.info("worker %s started with %d jobs", WORKER_NAME, len(JOBS))
    while not stop.is_set():
        for line in run_due(factory, settings, last_run, stop=stop):
            log.debug(line)
        stop.wait(tick)
