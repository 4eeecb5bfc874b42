"""A lead's team counts: "not appreciated in 30 days" cannot be gamed from inside the team."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from connectwell.core.config import Settings
from connectwell.people.models import Person
from connectwell.shoutouts.stats import team_appreciation
from tests.conftest import Cast
from tests.web.shoutouts_setup import give


def _platform_of_four(db: Session, cast: Cast) -> list[Person]:
    """Platform gets two more members: the lead, Mia, Ana and Ben."""
    more = [
        Person(email=f"{name.lower()}@example.org", name=name, team=cast.platform)
        for name in ("Ana", "Ben")
    ]
    db.add_all(more)
    db.commit()
    return more


def _not_appreciated(db: Session, cast: Cast) -> int:
    counts = team_appreciation(db, cast.platform.id, dt.date.today())
    assert counts.members == 4
    return counts.not_appreciated_in_30_days


def test_a_members_shout_out_to_their_own_team_counts_no_teammate_as_appreciated(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_of_four(db, cast)
    give(db, settings, cast.other_member, "Thanks Mia", person_ids=[cast.member.id])
    assert _not_appreciated(db, cast) == 3  # the lead, Ana and Ben

    give(db, settings, cast.member, "Thanks, all of us", team_ids=[cast.platform.id])

    assert _not_appreciated(db, cast) == 3


def test_a_shout_out_to_the_team_from_outside_it_counts_every_member_as_appreciated(
    db: Session, cast: Cast, settings: Settings
) -> None:
    _platform_of_four(db, cast)
    assert _not_appreciated(db, cast) == 4

    give(db, settings, cast.other_member, "Thanks, Platform", team_ids=[cast.platform.id])

    assert _not_appreciated(db, cast) == 0


def test_a_teammate_thanking_one_colleague_by_name_counts_that_colleague(
    db: Session, cast: Cast, settings: Settings
) -> None:
    ana, _ben = _platform_of_four(db, cast)

    give(db, settings, cast.member, "Thanks Ana", person_ids=[ana.id])

    assert _not_appreciated(db, cast) == 3  # the lead, Mia and Ben
