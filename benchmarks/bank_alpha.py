"""Does the item bank hang together on the demo? Cronbach's alpha per construct, with its
95% interval (Feldt, Woodruff & Salih 1987).

Seeds the demo organisation (240 people, a weekly pulse over twelve weeks, one construct's
whole set a round) into a temporary SQLite database, then, per construct, takes every stored
response of the rounds that asked it (a person answering two rounds of the same construct
counts twice), reverse-codes, and computes alpha over the listwise complete respondents. The
demo draws answers from a latent level per person and construct plus noise per statement
(``connectwell.demo.service._item_answer``), so a well-built scale should show alpha about
0.7 to 0.9; a statement that does not measure its construct would pull alpha down only if the
answers were real, so this checks the pipeline and the reverse-coding, not the wording.

Responses are read as stored: once rounds are counted after they close, only counted rounds
have responses, and the figures are over those.

    .venv/bin/python benchmarks/bank_alpha.py [--people 240] [--seed 7]

Not a test: its output goes into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from connectwell.core.db import make_engine, make_session_factory, transaction
from connectwell.core.db.migrate import upgrade
from connectwell.demo.service import seed_demo
from connectwell.pulses.bank import BY_KEY
from connectwell.pulses.models import Answer, Construct, Item, PulseRound, Response
from connectwell.stats import cronbach_alpha

TODAY = dt.date(2026, 11, 26)


def main() -> None:
    parser = argparse.ArgumentParser(description="Alpha per construct on the demo.")
    parser.add_argument("--people", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'demo.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            seed_demo(session, people=args.people, seed=args.seed, today=TODAY)
        with factory() as session:
            rounds = list(session.scalars(select(PulseRound).order_by(PulseRound.sequence)))
            items = {item.id: item for item in session.scalars(select(Item))}
            names = {c.id: c.key for c in session.scalars(select(Construct))}
            cells: dict[str, dict[str, float]] = defaultdict(dict)  # response -> item -> value
            for response_id, item_id, value in session.execute(
                select(Answer.response_id, Answer.item_id, Answer.value).join(
                    Response, Response.id == Answer.response_id
                )
            ):
                cells[response_id][item_id] = value
            round_of = {
                row[0]: row[1] for row in session.execute(select(Response.id, Response.round_id))
            }
        engine.dispose()

    print(f"demo: {args.people} people, seed {args.seed}, {len(rounds)} weekly rounds to {TODAY}")
    print(f"{'construct':<24} {'rounds':>6} {'items':>5} {'n':>5} {'alpha':>6}  95% interval")
    for key in BY_KEY:
        asked = [
            r for r in rounds if r.item_ids and names[items[r.item_ids[0]].construct_id] == key
        ]
        if not asked:
            print(f"{key:<24} {0:>6}")
            continue
        ids = asked[0].item_ids
        assert all(r.item_ids == ids for r in asked), "a construct asked with different items"
        round_ids = {r.id for r in asked}
        rows = [
            [answers.get(i, math.nan) for i in ids]
            for response_id, answers in cells.items()
            if round_of[response_id] in round_ids
        ]
        result = cronbach_alpha(rows, [items[i].reverse_coded for i in ids])
        interval = f"{result.ci_low:.2f}-{result.ci_high:.2f}" if result.ci_low is not None else "-"
        alpha = f"{result.alpha:.2f}" if result.alpha is not None else "-"
        print(f"{key:<24} {len(asked):>6} {len(ids):>5} {result.n:>5} {alpha:>6}  {interval}")


if __name__ == "__main__":
    main()
