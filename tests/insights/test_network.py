"""The connection network from the database, in the stored insights, and a person's own view."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Sequence

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from connectwell.insights import service, snapshots
from connectwell.insights.models import InsightSnapshot
from connectwell.insights.network import (
    gather,
    gather_arrays,
    last_closed_period,
    my_connections,
    network_figures,
    period_of,
)
from connectwell.insights.schemas import OrgNetwork
from connectwell.network import Band, band_problems, consistent_counts, count_bands, plan_counts
from connectwell.people.models import Person, Team
from connectwell.programs.models import Group, GroupMember, Program, Round
from connectwell.shoutouts.models import Recipient, ShoutOut
from tests.conftest import Cast
from tests.web.conftest import AsPerson

TODAY = dt.date(2026, 11, 26)
# The figures describe the last whole period before the day they are computed: the first day
# after the period holding TODAY (connections "6 days ago" are in it, "120 days ago" before it).
AFTER = period_of(TODAY)[1] + dt.timedelta(days=1)


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


def _appreciate(
    db: Session, sender: Person, recipient: Person, *, hidden: bool = False, days_ago: int = 6
) -> None:
    shoutout = ShoutOut(
        sender_id=sender.id,
        message="Thanks",
        pathway="respect",
        message_hash=f"{sender.id}-{recipient.id}-{days_ago}",
        visibility="everyone",
        created_at=dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(), dt.UTC),
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


def test_every_pair_of_a_met_group_counts_on_each_round_and_shout_outs_by_their_utc_day(
    db: Session, cast: Cast
) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))  # days are UTC days anyway
    member, other, lead, admin = cast.member, cast.other_member, cast.lead, cast.admin
    _met(db, member, other, days_ago=10)
    _met(db, other, member, days_ago=40)  # the same pair met again: a second interaction
    program = db.query(Program).one()
    trio = Group(
        round=Round(program_id=program.id, round_on=TODAY - dt.timedelta(days=365)),
        uid="trio",
        slot_start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        slot_end=dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC),
    )
    trio.members = [  # one said they met, one that they did not, one did not answer
        GroupMember(person_id=lead.id, met=False),
        GroupMember(person_id=admin.id, met=True),
        GroupMember(person_id=member.id),
    ]
    db.add(trio)
    _met(db, lead, admin, days_ago=366)  # the day before the year: not read
    night = dt.datetime.combine(TODAY, dt.time(23, 59), dt.UTC)
    for sender, recipients, at in (
        (lead, [member, other], night),  # two recipients: two interactions, on that UTC day
        (admin, [admin], night),  # to oneself: no tie
        (admin, [lead], night + dt.timedelta(minutes=1)),  # the day after ``today``
        (other, [lead], dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time(), dt.UTC)),
        (other, [admin], dt.datetime.combine(TODAY - dt.timedelta(days=366), dt.time(23), dt.UTC)),
    ):
        shoutout = ShoutOut(
            sender_id=sender.id,
            message="Thanks",
            pathway="respect",
            message_hash=f"{sender.id}-{at.isoformat()}",
            created_at=at,
        )
        shoutout.recipients = [
            Recipient(person_id=p.id, recipient_team_id=p.team_id) for p in recipients
        ]
        shoutout.recipients.append(Recipient(team_id=member.team_id))  # a team: no tie
        db.add(shoutout)
    db.flush()

    found = gather(db, TODAY)

    def pair(a: Person, b: Person) -> tuple[int, int]:
        return (min(a.id, b.id), max(a.id, b.id))

    year_ago = TODAY - dt.timedelta(days=365)
    assert sorted(zip(found.source, found.target, found.kind, found.day, strict=True)) == sorted(
        [
            (*pair(member, other), "pairing_met", TODAY - dt.timedelta(days=10)),
            (*pair(member, other), "pairing_met", TODAY - dt.timedelta(days=40)),
            (*pair(lead, admin), "pairing_met", year_ago),
            (*pair(lead, member), "pairing_met", year_ago),
            (*pair(admin, member), "pairing_met", year_ago),
            (lead.id, member.id, "shoutout", TODAY),
            (lead.id, other.id, "shoutout", TODAY),
            (other.id, lead.id, "shoutout", year_ago),
        ]
    )
    arrays = gather_arrays(db, TODAY)
    assert arrays.source.tolist() == found.source and arrays.day.tolist() == found.day


def test_connections_with_people_who_left_are_not_counted(db: Session) -> None:
    beta = _team(db, "Beta", 10)
    for k in range(0, 10, 2):
        _appreciate(db, beta[k], beta[k + 1])  # one connection each: all ten have few
    gone = Person(email="gone@example.org", name="Gone", is_active=False)
    db.add(gone)
    db.flush()
    for person in beta:
        _appreciate(db, gone, person)  # would be a second connection each

    organisation, teams = network_figures(db, today=AFTER, floor=5)

    team = teams[_id(db, "Beta")]
    assert (team["few_connections_low"], team["few_connections_high"]) == (8, 10)
    assert organisation is not None and organisation["people"] == 10


def _team(db: Session, name: str, size: int, *, parent: Team | None = None) -> list[Person]:
    """A team of ``size`` new people (no team at all for ``name=""``)."""
    team = Team(name=name, parent=parent) if name else None
    slug = name.lower() or "none"
    people = [
        Person(email=f"{slug}{k}@example.org", name=f"{name or 'Nobody'} {k}", team=team)
        for k in range(size)
    ]
    db.add_all(people)
    db.flush()
    return people


def _ring(db: Session, people: list[Person]) -> None:
    """Each thanks the next: everyone has two different connections (not few)."""
    for k, person in enumerate(people):
        _appreciate(db, person, people[(k + 1) % len(people)])


def _id(db: Session, name: str) -> int:
    return db.scalars(select(Team.id).where(Team.name == name)).one()


def _org_of_three_teams(db: Session) -> None:
    """Alpha (10, all connected), Beta (5) and Gamma (3) with few connections each: the
    organisation minus Alpha and Beta used to give Gamma's count exactly (3 of 3)."""
    _ring(db, _team(db, "Alpha", 10))
    _team(db, "Beta", 5)
    _team(db, "Gamma", 3)


def test_an_organisation_under_twice_the_floor_shows_its_ties_but_no_count(
    db: Session, cast: Cast
) -> None:
    _met(db, cast.member, cast.other_member)
    _appreciate(db, cast.lead, cast.member, days_ago=120)
    _appreciate(db, cast.member, cast.lead, days_ago=120)

    organisation, teams = network_figures(db, today=AFTER, floor=3)

    assert organisation is not None and organisation["people"] == 4
    assert organisation["few_connections_low"] is None  # 4 people: fewer than 2 x 3
    assert organisation["reciprocity"] == 1.0
    assert teams == {}  # Engineering (3) would leave Customer's 1 person: hidden
    assert network_figures(db, today=AFTER, floor=5) == (None, {})  # 4 people < the floor


def test_the_organisation_minus_the_shown_teams_no_longer_gives_a_hidden_teams_count(
    db: Session,
) -> None:
    _org_of_three_teams(db)

    organisation, teams = network_figures(db, today=AFTER, floor=5)

    # Beta is refused by the gate (it would leave Gamma's 3); Alpha is shown but its 10 are
    # one cell with the 8 left over (fewer than 10 alone): only the organisation has a band.
    assert set(teams) == {_id(db, "Alpha")}
    assert teams[_id(db, "Alpha")]["few_connections_low"] is None
    assert organisation is not None
    band = (organisation["few_connections_low"], organisation["few_connections_high"])
    assert band == (8, 10)  # the truth is 8 of 18: Beta's 5 and Gamma's 3
    # What an intruder who knows the rule can work out: any count of the 18 from 8 to 10, so
    # Gamma's 3 people may hold 0 to 3 of them, Beta's 5 any of 0 to 5.
    assert dict(_publish()([0, 5, 3]))["org"] == Band(8, 10, 18)  # the model is what was shown
    found = consistent_counts(_publish(), sizes=[10, 5, 3], counts=[0, 5, 3], unions=[[1], [2]])
    assert found[3] == {0, 1, 2, 3, 4, 5} and found[4] == {0, 1, 2, 3}
    assert band_problems(found, [10, 5, 3, 5, 3]) == []


def _publish() -> Callable[[Sequence[int]], Hashable]:
    """The publication as a function of the counts per team (Alpha, Beta, Gamma): the same
    gate and bands, from the team sizes the intruder knows."""
    plan = plan_counts(
        {"org": frozenset(range(18)), "alpha": frozenset(range(10))},
        {"org": None, "alpha": "org"},
        minimum=10,
    )

    def publish(counts: Sequence[int]) -> Hashable:
        flagged = frozenset(
            [*range(counts[0]), *range(10, 10 + counts[1]), *range(15, 15 + counts[2])]
        )
        return tuple(sorted(count_bands(plan, flagged).items()))

    return publish


def test_a_team_of_five_shows_no_count_even_when_all_five_have_few_connections(
    db: Session,
) -> None:
    _ring(db, _team(db, "Alpha", 10))
    _team(db, "Beta", 5)  # nobody connected
    _ring(db, _team(db, "", 5))  # five people in no team

    organisation, teams = network_figures(db, today=AFTER, floor=5)

    beta = teams[_id(db, "Beta")]
    assert beta["people"] == 5 and beta["few_connections_low"] is None
    assert beta["few_connections_high"] is None
    alpha = teams[_id(db, "Alpha")]
    assert (alpha["few_connections_low"], alpha["few_connections_high"]) == (0, 1)
    assert organisation is not None
    # Beta's 5 and the 5 without a team are one cell of 10 (5 of them few: the band 4 to 5).
    assert (organisation["few_connections_low"], organisation["few_connections_high"]) == (4, 6)


def test_nobody_and_everybody_in_a_team_give_no_exact_count(db: Session) -> None:
    _team(db, "Delta", 10)  # all ten have few connections
    _ring(db, _team(db, "Epsilon", 10))  # none has

    organisation, teams = network_figures(db, today=AFTER, floor=5)

    delta, epsilon = teams[_id(db, "Delta")], teams[_id(db, "Epsilon")]
    assert (delta["few_connections_low"], delta["few_connections_high"]) == (8, 10)
    assert (epsilon["few_connections_low"], epsilon["few_connections_high"]) == (0, 1)
    assert organisation is not None
    assert (organisation["few_connections_low"], organisation["few_connections_high"]) == (8, 11)
    # The figures about ties leave the window out: all connected and none connected look alike
    # (before, Delta's "no ties at all" said that all ten had few connections).
    ties = ("cross_team_ratio", "ei_index", "other_teams")
    assert [delta[k] for k in ties] == [epsilon[k] for k in ties] == [None, None, 0]


def test_the_figures_about_ties_count_only_the_ties_from_before_the_window(db: Session) -> None:
    alpha, beta = _team(db, "Alpha", 10), _team(db, "Beta", 10)
    _ring(db, alpha)  # in the window
    _appreciate(db, alpha[0], beta[0], days_ago=200)  # before it
    _appreciate(db, beta[1], beta[2], days_ago=200)

    _, teams = network_figures(db, today=AFTER, floor=5)

    first, second = teams[_id(db, "Alpha")], teams[_id(db, "Beta")]
    assert (first["cross_team_ratio"], first["other_teams"]) == (1.0, 1)
    assert (second["cross_team_ratio"], second["other_teams"]) == (0.5, 1)
    assert (first["few_connections_low"], first["few_connections_high"]) == (0, 1)
    assert (second["few_connections_low"], second["few_connections_high"]) == (8, 10)


def test_only_teams_the_gate_shows_are_named_as_bridging(db: Session) -> None:
    _org_of_three_teams(db)
    alpha = db.scalars(select(Person).where(Person.email == "alpha0@example.org")).one()
    gamma = db.scalars(select(Person).where(Person.email == "gamma0@example.org")).one()
    _appreciate(db, gamma, alpha, days_ago=120)  # Gamma reaches another team; it is hidden

    organisation, _ = network_figures(db, today=AFTER, floor=5)

    assert organisation is not None and organisation["bridging_teams"] == ["Alpha"]


def test_the_stored_insights_and_the_page_say_few_recorded_connections_in_a_band(
    db: Session, cast: Cast, as_person: AsPerson
) -> None:
    _org_of_three_teams(db)
    db.commit()

    assert snapshots.store_network(db, today=AFTER, floor=5) >= 1
    db.commit()
    page = as_person(cast.admin).get("/insights/org")

    stored = service.network(db, "org")
    assert stored is not None
    network = stored.network
    assert isinstance(network, OrgNetwork)
    # 22 people: Alpha's 10 connected; Beta's 5, Gamma's 3 and the cast's 4 are not.
    assert (network.few_connections_low, network.few_connections_high) == (10, 13)
    text = " ".join(page.text.split())
    assert "People with few recorded connections" in text
    first, last = last_closed_period(AFTER)
    assert f"from {first:%-d %b %Y} to {last:%-d %b %Y}" in text
    assert "between 10 and 13 of 22 (45% to 59%)" in text
    assert "isolated" not in text.lower()


def test_the_figures_stay_the_same_every_night_until_the_next_period_ends(db: Session) -> None:
    alpha = _team(db, "Alpha", 10)
    _ring(db, alpha)
    _team(db, "Beta", 10)
    first, last = period_of(TODAY)
    shown = network_figures(db, today=last + dt.timedelta(days=1), floor=5)

    # Later in the next period, two of Beta connect: nothing moves until that period ends.
    beta = db.scalars(select(Person).where(Person.email.like("beta%"))).all()
    for k in range(3):
        _appreciate(db, beta[k], beta[(k + 1) % 3], days_ago=(TODAY - last).days - 5)
    for day in (1, 30, 91):
        assert network_figures(db, today=last + dt.timedelta(days=day), floor=5) == shown
    later = network_figures(db, today=last + dt.timedelta(days=92), floor=5)[1]
    assert later[_id(db, "Beta")]["few_connections_low"] == 6  # 7 of 10: the band 6 to 7
    assert shown[0] is not None and shown[0]["counted_from"] == first


def test_a_person_sees_their_own_connections_newest_first(db: Session, cast: Cast) -> None:
    _met(db, cast.member, cast.other_member, days_ago=20)
    _appreciate(db, cast.lead, cast.member)
    _met(db, cast.admin, cast.lead)

    mine = my_connections(db, cast.member, TODAY)

    assert [(c.person.id, c.how) for c in mine] == [
        (cast.lead.id, "appreciated you"),
        (cast.other_member.id, "you met in a pairing"),
    ]


def test_a_stored_payload_of_an_older_version_reads_as_not_computed_yet_never_an_error(
    db: Session, cast: Cast, as_person: AsPerson, caplog: pytest.LogCaptureFixture
) -> None:
    # What the version before published figures stored (see migration 0012).
    old = {
        "name": "The organisation",
        "constructs": {"loneliness": {"n": 161, "mean": 2.2857142857142856}},
        "network": {"people": 240, "interactions": 1692, "isolated": 0, "isolated_share": 0.0,
                    "modularity": -0.0615, "reciprocity": 0.0062, "bridging_teams": []},
    }  # fmt: skip
    db.add(InsightSnapshot(scope="org", window_start=TODAY, window_end=TODAY, payload=old))
    db.commit()

    with caplog.at_level(logging.WARNING, logger="connectwell.insights.service"):
        stored = service.network(db, "org")
    page = as_person(cast.admin).get("/insights/org")

    assert stored is None
    assert "insight snapshot 'org' does not fit this version" in caplog.text
    assert page.status_code == 200
    assert "People with few recorded connections" not in page.text
