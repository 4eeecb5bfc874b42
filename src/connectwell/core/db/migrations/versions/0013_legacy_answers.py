"""answers stored before the ballot box: coarsened, shuffled and re-keyed like counted ones

Revision ID: 0013_legacy_answers
Revises: 0012_publications
Create Date: 2026-11-30 02:00:00

Before the ballot box, each pulse response and each check-in was written in the answering
transaction, with the answerer's exact team, tenure band and location. Such a row can be
linked to its author three ways: its attributes match exactly one respondent; its physical
place (SQLite ``rowid``, PostgreSQL ``ctid``) follows the order of answering, which request
logs give; on PostgreSQL its ``xmin`` equals that of the participation or group member row
written in the same transaction. This migration treats the stored rows as the counting job
treats ballots (``connectwell.pulses.counting``, ``connectwell.programs.answers``), round by
round, in the one transaction of the upgrade:

- each response's (team, tenure band, location) is coarsened with
  :func:`connectwell.stats.coarsen_attributes` against the round's *respondents* (people
  whose participation says they answered: their team, their tenure band on the round's first
  day, their location), so at least the anonymity floor of them share every stored
  combination; a check-in's team against the round's group members who said they met;
- the round's rows are deleted and written again in a random order (``secrets.SystemRandom``)
  with new random keys, answers with their response;
- the round's participation (group member) rows are touched, so on PostgreSQL they all carry
  this transaction's id, like the rewritten rows.

The floor is the ``anonymity_floor`` setting, passed by ``connectwell.core.db.migrate.upgrade``
(5 when run otherwise). Only Core tables declared here are used: the models change, this
migration must not.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

from connectwell.stats import Attributes, coarsen_attributes

revision = "0013_legacy_answers"
down_revision = "0012_publications"
branch_labels = None
depends_on = None

DEFAULT_FLOOR = 5

teams = sa.table("teams", sa.column("id", sa.Integer), sa.column("parent_id", sa.Integer))
people = sa.table(
    "people",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("start_date", sa.Date),
    sa.column("location", sa.String),
)
pulse_rounds = sa.table("pulse_rounds", sa.column("id", sa.Integer), sa.column("opens_on", sa.Date))
participation = sa.table(
    "pulse_participation",
    sa.column("round_id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("answered", sa.Boolean),
)
responses = sa.table(
    "pulse_responses",
    sa.column("id", sa.String),
    sa.column("round_id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("tenure_band", sa.String),
    sa.column("location", sa.String),
    sa.column("comment", sa.Text),
)
answers = sa.table(
    "pulse_answers",
    sa.column("response_id", sa.String),
    sa.column("item_id", sa.Integer),
    sa.column("value", sa.Integer),
)
groups = sa.table("groups", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer))
group_members = sa.table(
    "group_members",
    sa.column("group_id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("met", sa.Boolean),
)
check_ins = sa.table(
    "check_ins",
    sa.column("id", sa.String),
    sa.column("program_id", sa.Integer),
    sa.column("round_id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("positive_regard", sa.Integer),
    sa.column("mutuality", sa.Integer),
    sa.column("vitality", sa.Integer),
)


def _tenure_band(start: dt.date | None, today: dt.date) -> str:
    """The rule of ``connectwell.pulses.service.tenure_band``, frozen here."""
    if start is None:
        return ""
    years = (today - start).days / 365.25
    return "under 1 year" if years < 1 else ("1-3 years" if years < 3 else "3 years or more")


def _floor() -> int:
    config = op.get_context().config
    floor = None if config is None else config.attributes.get("anonymity_floor")
    return int(floor) if floor is not None else DEFAULT_FLOOR


def _key() -> str:
    return secrets.token_hex(16)


def _pulse_round(
    bind: sa.Connection,
    round_id: int,
    opens_on: dt.date,
    parents: dict[int, int | None],
    floor: int,
    shuffler: secrets.SystemRandom,
) -> None:
    respondents = bind.execute(
        sa.select(people.c.team_id, people.c.start_date, people.c.location)
        .join(participation, participation.c.person_id == people.c.id)
        .where(participation.c.round_id == round_id, participation.c.answered.is_(True))
    )
    audience = [
        Attributes(team, _tenure_band(start, opens_on), location or "")
        for team, start, location in respondents
    ]
    stored = list(
        bind.execute(
            sa.select(
                responses.c.id,
                responses.c.team_id,
                responses.c.tenure_band,
                responses.c.location,
                responses.c.comment,
            ).where(responses.c.round_id == round_id)
        )
    )
    values: dict[str, list[tuple[int, int]]] = {row.id: [] for row in stored}
    in_round = sa.select(responses.c.id).where(responses.c.round_id == round_id)
    for response_id, item_id, value in bind.execute(
        sa.select(answers.c.response_id, answers.c.item_id, answers.c.value).where(
            answers.c.response_id.in_(in_round)
        )
    ):
        values[response_id].append((item_id, value))
    shuffler.shuffle(stored)
    kept = coarsen_attributes(
        [Attributes(row.team_id, row.tenure_band or "", row.location or "") for row in stored],
        audience,
        parents,
        floor,
    )
    new_responses: list[dict[str, Any]] = []
    new_answers: list[dict[str, Any]] = []
    for row, attributes in zip(stored, kept, strict=True):
        key = _key()
        new_responses.append(
            {
                "id": key,
                "round_id": round_id,
                "team_id": attributes.team_id,
                "tenure_band": attributes.tenure_band,
                "location": attributes.location,
                "comment": row.comment,
            }
        )
        new_answers += [
            {"response_id": key, "item_id": item, "value": value} for item, value in values[row.id]
        ]
    bind.execute(sa.delete(answers).where(answers.c.response_id.in_(in_round)))
    bind.execute(sa.delete(responses).where(responses.c.round_id == round_id))
    bind.execute(sa.insert(responses), new_responses)
    if new_answers:
        bind.execute(sa.insert(answers), new_answers)
    bind.execute(
        sa.update(participation)
        .where(participation.c.round_id == round_id)
        .values(answered=participation.c.answered)
    )


def _check_in_round(
    bind: sa.Connection,
    round_id: int,
    parents: dict[int, int | None],
    floor: int,
    shuffler: secrets.SystemRandom,
) -> None:
    in_round = sa.select(groups.c.id).where(groups.c.round_id == round_id)
    audience = [
        Attributes(team)
        for team in bind.scalars(
            sa.select(people.c.team_id)
            .join(group_members, group_members.c.person_id == people.c.id)
            .where(group_members.c.group_id.in_(in_round), group_members.c.met.is_(True))
        )
    ]
    stored = list(
        bind.execute(
            sa.select(
                check_ins.c.program_id,
                check_ins.c.team_id,
                check_ins.c.positive_regard,
                check_ins.c.mutuality,
                check_ins.c.vitality,
            ).where(check_ins.c.round_id == round_id)
        )
    )
    shuffler.shuffle(stored)
    kept = coarsen_attributes([Attributes(row.team_id) for row in stored], audience, parents, floor)
    rows = [
        {
            "id": _key(),
            "program_id": row.program_id,
            "round_id": round_id,
            "team_id": attributes.team_id,
            "positive_regard": row.positive_regard,
            "mutuality": row.mutuality,
            "vitality": row.vitality,
        }
        for row, attributes in zip(stored, kept, strict=True)
    ]
    bind.execute(sa.delete(check_ins).where(check_ins.c.round_id == round_id))
    bind.execute(sa.insert(check_ins), rows)
    bind.execute(
        sa.update(group_members)
        .where(group_members.c.group_id.in_(in_round))
        .values(met=group_members.c.met)
    )


def upgrade() -> None:
    bind = op.get_bind()
    floor = _floor()
    shuffler = secrets.SystemRandom()
    parents: dict[int, int | None] = {
        team: parent for team, parent in bind.execute(sa.select(teams.c.id, teams.c.parent_id))
    }
    with_responses = sa.select(responses.c.round_id)
    for round_id, opens_on in list(
        bind.execute(
            sa.select(pulse_rounds.c.id, pulse_rounds.c.opens_on)
            .where(pulse_rounds.c.id.in_(with_responses))
            .order_by(pulse_rounds.c.id)
        )
    ):
        _pulse_round(bind, round_id, opens_on, parents, floor, shuffler)
    for round_id in list(
        bind.scalars(sa.select(check_ins.c.round_id).distinct().order_by(check_ins.c.round_id))
    ):
        _check_in_round(bind, round_id, parents, floor, shuffler)


def downgrade() -> None:
    # Nothing to undo, on purpose: the exact attributes and the order of answering are what
    # this migration removes, and they cannot (and must not) be restored. The rows it wrote
    # are valid rows of the older schema too.
    pass
