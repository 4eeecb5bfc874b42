"""Round priority from the connection network, and the programme's preferences in its rounds.

The roster of :func:`_roster` is built so that the answer turns on priority alone: Ana's best
partner is Ben (another team, another place, two shared interests), but Ben and Cleo are an
even better pair (three shared interests, different places) and Dan suits nobody much. With
everyone equally connected the best round is Ben + Cleo and Ana + Dan; when Ana has no
recorded connection and the others many, her preferences count about twice as much (the
weights are in :func:`connectwell.programs.rounds.run_round`) and she gets Ben.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectwell.insights import network
from connectwell.people.models import Person, Team
from connectwell.programs import rounds, service
from connectwell.programs.models import Group, GroupMember, Program, Round
from connectwell.programs.schemas import ProgramIn
from connectwell.shoutouts.models import Recipient, ShoutOut

ROUND_ON = dt.date(2026, 11, 30)


def _person(db: Session, name: str, team: Team, location: str = "", interests: str = "") -> Person:
    person = Person(
        email=f"{name.lower()}@example.org",
        name=name,
        team=team,
        location=location,
        interests=interests,
    )
    db.add(person)
    db.flush()
    return person


def _thank(db: Session, sender: Person, recipient: Person, days_before: int = 10) -> None:
    day = ROUND_ON - dt.timedelta(days=days_before)
    shoutout = ShoutOut(
        sender_id=sender.id,
        message="Thanks",
        pathway="respect",
        message_hash=f"{sender.id}-{recipient.id}-{days_before}",
        created_at=dt.datetime.combine(day, dt.time(12), dt.UTC),
    )
    shoutout.recipients = [Recipient(person_id=recipient.id, recipient_team_id=recipient.team_id)]
    db.add(shoutout)
    db.flush()


def _met(db: Session, a: Person, b: Person, days_before: int, met: bool | None = True) -> None:
    program = Program(name=f"Earlier {a.id}-{b.id}-{days_before}", starts_on=ROUND_ON)
    db.add(program)
    db.flush()
    on = ROUND_ON - dt.timedelta(days=days_before)
    group = Group(
        round=Round(program_id=program.id, round_on=on),
        uid=f"g{a.id}-{b.id}-{days_before}",
        slot_start=dt.datetime.combine(on, dt.time(10), dt.UTC),
        slot_end=dt.datetime.combine(on, dt.time(10, 30), dt.UTC),
    )
    group.members = [GroupMember(person_id=a.id, met=met), GroupMember(person_id=b.id)]
    db.add(group)
    db.flush()


def _roster(db: Session) -> tuple[dict[str, Person], Program]:
    teams = [Team(name=f"Team {k}") for k in range(5)]
    db.add_all(teams)
    people = {
        "Ana": _person(db, "Ana", teams[0], "Leeds", "chess; jazz"),
        "Ben": _person(db, "Ben", teams[1], "Lisbon", "chess; jazz; hiking; tea; film"),
        "Cleo": _person(db, "Cleo", teams[2], "Leeds", "hiking; tea; film"),
        "Dan": _person(db, "Dan", teams[3], "Leeds"),
    }
    program = service.create_program(
        db,
        ProgramIn(
            name="Coffee",
            audience="opt_in",
            cadence="weekly",
            starts_on=ROUND_ON,
            min_overlap_hours=0,
            mix_locations=True,
            match_interests=True,
        ),
        actor=None,
    )
    for person in people.values():
        service.join(db, program, person)
    return people, program


def _partner_of(db: Session, row: Round, person: Person) -> str:
    group = db.scalar(
        select(Group)
        .join(GroupMember)
        .where(Group.round_id == row.id, GroupMember.person_id == person.id)
    )
    assert group is not None
    [other] = [m.person.name for m in group.members if m.person_id != person.id]
    return other


@pytest.mark.parametrize(
    ("others_connected", "partner"),
    [(True, "Ben"), (False, "Dan")],
    ids=["ana-alone-gets-her-best-partner", "nobody-connected-best-round-overall"],
)
def test_someone_without_recorded_connections_gets_their_preferred_cross_team_partner(
    db: Session, others_connected: bool, partner: str
) -> None:
    people, program = _roster(db)
    if others_connected:  # Ben, Cleo and Dan connected with six people each lately
        helpers = [_person(db, f"Helper{k}", Team(name=f"Helpers {k}")) for k in range(6)]
        for name in ("Ben", "Cleo", "Dan"):
            for k, helper in enumerate(helpers):
                if k % 2:
                    _thank(db, people[name], helper)
                else:
                    _met(db, people[name], helper, days_before=7 * (k + 1))

    row = rounds.run_round(db, program, ROUND_ON, actor=None, connections=network.connection_counts)

    assert row is not None and row.participants == 4
    assert _partner_of(db, row, people["Ana"]) == partner
    assert row.same_team_pairs == 0 and row.repeats == 0


def test_recorded_connections_count_distinct_people_of_both_kinds_in_the_window(
    db: Session,
) -> None:
    team = Team(name="Team")
    ana, ben, cleo, dan, eve = (_person(db, n, team) for n in ("Ana", "Ben", "Cleo", "Dan", "Eve"))
    _thank(db, ana, ben, days_before=3)
    _thank(db, ben, ana, days_before=4)  # the same two people: one connection
    _met(db, ana, cleo, days_before=14)
    _met(db, ana, dan, days_before=21, met=False)  # said they did not meet: no connection
    _thank(db, eve, ana, days_before=120)  # before the window
    _thank(db, eve, ben, days_before=0)  # the round's own day: not yet "before" it

    counts = network.connection_counts(db, ROUND_ON)
    programmes_only = rounds.met_pairing_counts(db, ROUND_ON)

    assert counts == {ana.id: 2, ben.id: 1, cleo.id: 1}
    assert programmes_only == {ana.id: 1, cleo.id: 1}


def test_levels_are_the_managers_above_each_person_and_a_loop_ends_the_count(
    db: Session,
) -> None:
    team = Team(name="Team")
    top, middle, bottom, x, y = (_person(db, n, team) for n in ("Top", "Mid", "Low", "X", "Y"))
    middle.manager, bottom.manager = top, middle
    x.manager_id, y.manager_id = y.id, x.id  # a loop in the recorded managers
    db.flush()

    levels = rounds.reporting_levels(db)

    assert [levels[p.id] for p in (top, middle, bottom)] == [0, 1, 2]
    assert sorted([levels[x.id], levels[y.id]]) == [0, 1]


def test_a_round_is_made_with_the_programmes_preferences_and_levels(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, program = _roster(db)
    people["Ben"].manager, people["Cleo"].manager = people["Ana"], people["Ben"]
    program.mix_levels, program.match_interests = True, False
    seen = []
    real = rounds.pair_round

    def spy(participants, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((participants, kwargs["rules"]))
        return real(participants, **kwargs)

    monkeypatch.setattr(rounds, "pair_round", spy)
    rounds.run_round(db, program, ROUND_ON, actor=None)

    [(participants, rules)] = seen
    assert (rules.mix_levels, rules.mix_locations, rules.match_interests) == (True, True, False)
    levels = {p.id: p.level for p in participants}
    names = {str(person.id): name for name, person in people.items()}
    assert {names[k]: level for k, level in levels.items()} == {
        "Ana": 0, "Ben": 1, "Cleo": 2, "Dan": 0,
    }  # fmt: skip
