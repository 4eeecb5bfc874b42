"""The connection network from the database, in the stored insights, and a person's own view."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.insights import service, snapshots
from connectwell.insights.network import gather, my_connections, network_figures
from connectwell.people.models import Person
from connectwell.programs.models import Group, GroupMember, Program, Round
from connectwell.shoutouts.models import Recipient, ShoutOut
from tests.conftest import Cast

TODAY = dt.date(2026, 11, 26)


def _met(db: Session, a: Person, b: Person, *, met: bool | None = True, days_ago: int = 10) -> None:
    program = db.query(Program).first() or Program(name="Coffee", starts_on=TODAY)
    db.add(program)
    db.flush()
    round_ = Round(program_id=program.id, round_on=TODAY - dt.timedelta(days=days_ago))
    group = Group(
        round=round_,
        uid=f"g{a.id}-{b.id}-{days_ago}",
        slot_start=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        slot_end=dt.datetime(2026, 11, 1, 0, 30, tzinfo=dt.UTC),
    )
    group.members = [GroupMember(person_id=a.id, met=met), GroupMember(person_id=b.id)]
    db.add(group)
    db.flush()


def _appreciate(db: Session, sender: Person, recipient: Person, *, hidden: bool = False) -> None:
    shoutout = ShoutOut(
        sender_id=sender.id,
        message="Thanks",
        pathway="respect",
        message_hash=f"{sender.id}-{recipient.id}",
        visibility="everyone",
        created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        hidden_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC) if hidden else None,
    )
    shoutout.recipients = [Recipient(person_id=recipient.id, recipient_team_id=recipient.team_id)]
    db.add(shoutout)
    db.flush()


def test_met_pairings_and_visible_shout_outs_are_the_interactions(db: Session, cast: Cast) -> None:
    _met(db, cast.member, cast.other_member)
    _met(db, cast.lead, cast.admin, met=False, days_ago=11)  # did not meet: no tie
    _appreciate(db, cast.lead, cast.member)
    _appreciate(db, cast.admin, cast.other_member, hidden=True)  # hidden: no tie

    found = gather(db, TODAY)

    ties = sorted(zip(found.source, found.target, found.kind, strict=True))
    pair = sorted([cast.member.id, cast.other_member.id])  # a pairing has no direction
    assert ties == sorted(
        [
            (pair[0], pair[1], "pairing_met"),
            (cast.lead.id, cast.member.id, "shoutout"),
        ]
    )


def test_the_organisation_gets_network_figures_and_small_teams_none(
    db: Session, cast: Cast
) -> None:
    _met(db, cast.member, cast.other_member)
    _appreciate(db, cast.lead, cast.member)
    _appreciate(db, cast.member, cast.lead)

    organisation, teams = network_figures(db, today=TODAY, floor=5)

    assert organisation["people"] == 4 and organisation["interactions"] == 3
    assert organisation["isolated"] == 3  # only Mia has two different connections
    assert organisation["reciprocity"] == 1.0
    assert teams == {}  # every team has fewer than 5 people
    assert snapshots.store_network(db, today=TODAY, floor=5) == 1
    stored = service.network(db, "org")
    assert stored is not None and stored.network is not None and stored.network.isolated == 3


def test_a_person_sees_their_own_connections_newest_first(db: Session, cast: Cast) -> None:
    _met(db, cast.member, cast.other_member, days_ago=20)
    _appreciate(db, cast.lead, cast.member)
    _met(db, cast.admin, cast.lead)

    mine = my_connections(db, cast.member, TODAY)

    assert [(c.person.id, c.how) for c in mine] == [
        (cast.lead.id, "appreciated you"),
        (cast.other_member.id, "you met in a pairing"),
    ]
