"""``python -m connectwell.worker [--once]``: run the scheduled jobs."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from connectwell.core.config import get_settings
from connectwell.core.db import make_engine, make_session_factory
from connectwell.core.db.migrate import upgrade
from connectwell.worker.runner import run_due, run_forever


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m connectwell.worker")
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine, anonymity_floor=settings.anonymity_floor)
    factory = make_session_factory(engine)
    if args.once:
        for line in run_due(factory, settings):
            print(line)
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(factory, settings, stop)


if __name__ == "__main__":
    main()
