"""The demo generator: deterministic, realistic, at any size."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from connectwell.demo.generator import generate_org

TODAY = dt.date(2026, 11, 26)


def check_org(people: int, **options: object) -> None:
    """The checker every generator test uses: the invariants of a generated organisation."""
    org = generate_org(people, today=TODAY, **options)  # type: ignore[arg-type]
    emails = [p.email for p in org.people]
    assert len(org.people) == people and len(set(emails)) == people
    paths = {t.path for t in org.teams}
    assert all(t.parent_path is None or t.parent_path in paths for t in org.teams)
    seen: set[str] = set()
    for person in org.people:  # managers come before their reports
        assert person.manager_email is None or person.manager_email in seen
        assert person.team in paths
        assert person.start_date <= TODAY
        seen.add(person.email)
    assert sum(p.role == "admin" for p in org.people) == 1


def test_the_demo_organisation_has_about_240_people_in_14_nested_teams_and_4_time_zones() -> None:
    check_org(240)
    org = generate_org(240, today=TODAY)
    assert len(org.teams) == 14
    assert any(t.parent_path for t in org.teams)
    assert len({p.timezone for p in org.people}) == 4
    new_hires = [p for p in org.people if (TODAY - p.start_date).days < 30]
    assert 3 <= len(new_hires) <= 30
    roles = Counter(p.role for p in org.people)
    assert roles["lead"] >= 10 and roles["member"] > 200


def test_the_same_seed_gives_the_same_organisation_and_another_seed_another() -> None:
    assert generate_org(100, seed=3, today=TODAY) == generate_org(100, seed=3, today=TODAY)
    assert generate_org(100, seed=3, today=TODAY) != generate_org(100, seed=4, today=TODAY)


@pytest.mark.parametrize("people", [4, 17, 1000, 20_000])
def test_it_generates_valid_organisations_of_any_size(people: int) -> None:
    check_org(people)


def test_it_refuses_an_organisation_too_small_to_have_roles() -> None:
    with pytest.raises(ValueError, match="people"):
        generate_org(3)
