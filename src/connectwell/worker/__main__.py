"""``python -m connectwell.worker [--once] [--exit-with-parent]``: run the scheduled jobs.

The worker stops on SIGTERM or SIGINT once the job it is running ends. With
``--exit-with-parent`` (how ``connectwell serve`` starts it) it also stops when its standard
input reaches its end: the parent holds the other end of that pipe, and the kernel closes it
when the parent exits, however it exits (even ``kill -9``), so the worker is never orphaned.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from connectwell.core.config import get_settings
from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.migrate import upgrade
from connectwell.core.logs import configure_logging
from connectwell.worker.runner import run_due, run_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m connectwell.worker")
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (the parent process ended)",
    )
    args = parser.parse_args()
    configure_logging()  # JSON lines on standard error, like the web's
    stop = threading.Event()
    if args.exit_with_parent:  # first: the parent may be gone while this one starts
        threading.Thread(target=_stop_at_end_of_input, args=(stop,), daemon=True).start()
    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine, anonymity_floor=settings.anonymity_floor)
    factory = make_session_factory(engine)
    if args.once:
        for line in run_due(factory, settings):
            print(line)
        return
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(factory, settings, stop)
    logging.getLogger(__name__).info("worker stopped")


def _stop_at_end_of_input(stop: threading.Event) -> None:
    """Read standard input until its end (the parent is gone), then ask the worker to stop."""
    while sys.stdin.buffer.read(4096):
        pass
    stop.set()


if __name__ == "__main__":
    main()
