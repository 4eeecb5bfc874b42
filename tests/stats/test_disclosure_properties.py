"""Property tests: whatever one viewer asks for, by whatever route, nobody can be isolated by
subtracting (or otherwise combining) the views they were allowed to see."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectwell.stats import AnonymityPolicy, Disclosure, allowed_breakdowns, verify_disclosure

from .orgs import (
    ROUTES,
    Filter,
    Group,
    Person,
    filters,
    isolated_by_algebra,
    organisations,
    sessions,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
floors = st.integers(3, 6)


@settings(SETTINGS, max_examples=250)
@given(session=sessions(), floor=floors)
def test_no_sequence_of_requests_exposes_a_group_under_the_floor(
    session: tuple[list[Person], list[tuple[str, Filter]]], floor: int
) -> None:
    people, asked = session
    policy = AnonymityPolicy(floor=floor)
    disclosure = Disclosure(policy)
    decided: dict[Group, bool] = {}
    for route, wanted in asked:
        group = ROUTES[route](people, wanted)
        before = list(disclosure.shown)
        would_be_safe = not verify_disclosure([*before, group], policy)
        allowed = disclosure.request(group)
        # exactly as strict as the independent checker: nothing safe refused, nothing unsafe shown
        assert allowed == would_be_safe
        # the same group, by any route, gets the same answer every time
        assert decided.setdefault(group, allowed) == allowed
        if not allowed:
            assert disclosure.check(group) is not None
    assert verify_disclosure(disclosure.shown, policy) == []
    universe = sorted({(p.id, pulse) for p in people for pulse in p.answered})
    assert isolated_by_algebra(list(disclosure.shown), universe) == []


@SETTINGS
@given(people=organisations(), data=st.data())
def test_every_route_gives_the_same_group(people: list[Person], data: st.DataObject) -> None:
    wanted = data.draw(filters(people))
    assert len({route(people, wanted) for route in ROUTES.values()}) == 1


@SETTINGS
@given(people=organisations(), floor=floors, data=st.data())
def test_allowed_breakdowns_never_expose_anyone(
    people: list[Person], floor: int, data: st.DataObject
) -> None:
    policy = AnonymityPolicy(floor=floor)
    earlier = [
        ROUTES["page"](people, data.draw(filters(people)))
        for _ in range(data.draw(st.integers(0, 3)))
    ]
    disclosure = Disclosure(policy)
    already = [group for group in earlier if disclosure.request(group)]
    parent_filter = data.draw(filters(people))
    parent = ROUTES["api"](people, parent_filter)
    dimension = data.draw(st.sampled_from(["team", "sub_team", "tenure", "location"]))
    values = sorted({getattr(p, dimension) for p in people})
    children = {
        value: frozenset(r for r in parent if getattr(people[r[0]], dimension) == value)
        for value in values
    }
    allowed = allowed_breakdowns(parent, children, policy, already)
    assert list(allowed) == values
    shown = [*already, parent, *(children[v] for v in values if allowed[v])]
    if any(allowed.values()):
        assert verify_disclosure(shown, policy) == []
    for value, ok in allowed.items():
        if ok:
            child = children[value]
            assert len(child) >= floor
            assert len(parent - child) == 0 or len(parent - child) >= floor
    universe = sorted({(p.id, pulse) for p in people for pulse in p.answered})
    assert isolated_by_algebra(shown if any(allowed.values()) else already, universe) == []
