"""Team goals: who may set and move them, how they are reached, and the celebration."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from connectwell.core.config import Settings
from connectwell.core.db import transaction
from connectwell.core.notify import Notification, OutboxEmail
from connectwell.goals import service
from connectwell.goals.models import Celebration, Contribution, Goal
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.people.models import Person, TeamLead
from tests.conftest import Cast


def _goal(db: Session, creator: Person, team_id: int, **fields: object) -> Goal:
    values: dict[str, object] = {
        "team_id": team_id,
        "title": "Help sessions across teams",
        "done_looks_like": "20 help sessions given to other teams this quarter",
        "target": 20,
        "unit": "help sessions",
    }
    values.update(fields)
    goal = service.create_goal(db, creator, GoalIn.model_validate(values))
    db.commit()
    return goal


def _progress(
    db: Session, goal: Goal, person: Person, settings: Settings, **fields: object
) -> Contribution:
    contribution = service.record_progress(
        db, goal.id, person, ProgressIn.model_validate(fields), settings
    )
    db.commit()
    return contribution


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_member_sets_a_goal_for_their_team(db: Session, cast: Cast) -> None:
    goal = _goal(db, cast.member, cast.platform.id)

    db.expire_all()
    stored = db.get(Goal, goal.id)
    assert stored is not None
    assert (stored.team_id, stored.status, stored.progress, stored.target) == (
        cast.platform.id, "open", 0, 20,
    )  # fmt: skip
    assert stored.created_by_id == cast.member.id and stored.percent == 0


def test_someone_of_another_team_can_neither_set_nor_move_the_teams_goals(
    db: Session, cast: Cast, settings: Settings
) -> None:
    with pytest.raises(service.GoalNotAllowed) as refused:
        _goal(db, cast.other_member, cast.platform.id)
    db.rollback()
    assert refused.value.field == "team_id"
    goal = _goal(db, cast.member, cast.platform.id)

    with pytest.raises(service.GoalNotAllowed):
        _progress(db, goal, cast.other_member, settings, amount=3)
    db.rollback()

    assert _count(db, Goal) == 1 and _count(db, Contribution) == 0
    assert db.get(Goal, goal.id).progress == 0  # type: ignore[union-attr]


def test_leads_admins_and_members_of_nested_teams_may_change_a_teams_goals(
    db: Session, cast: Cast
) -> None:
    engineering_id = cast.platform.parent_id
    assert engineering_id is not None

    assert service.may_change(db, cast.lead, cast.platform.id)
    assert service.may_change(db, cast.admin, cast.support.id)
    assert service.may_change(db, cast.member, engineering_id)  # Platform is inside it
    assert not service.may_change(db, cast.other_member, engineering_id)
    assert not service.may_change(db, cast.lead, cast.support.id)


def test_progress_adds_up_and_reaching_the_target_celebrates_the_team(
    db: Session, cast: Cast, settings: Settings
) -> None:
    goal = _goal(db, cast.member, cast.platform.id)

    _progress(db, goal, cast.member, settings, amount=12, note="Paired with Support twice")
    assert db.get(Goal, goal.id).status == "open"  # type: ignore[union-attr]
    assert _count(db, Celebration) == 0
    _progress(db, goal, cast.lead, settings, amount=8)

    db.expire_all()
    reached = db.get(Goal, goal.id)
    assert reached is not None
    assert (reached.status, reached.progress, reached.percent) == ("reached", 20, 100)
    assert reached.reached_at is not None
    [post] = db.scalars(select(Celebration)).all()
    assert post.team_id == cast.platform.id and post.goal_id == goal.id
    assert "Mia Member and Lee Lead" in post.text and "20 help sessions" in post.text


def test_everyone_who_contributed_is_thanked_together_and_the_lead_gets_team_reward_ideas(
    db: Session, cast: Cast, settings: Settings
) -> None:
    goal = _goal(db, cast.member, cast.platform.id, target=2, unit="")
    _progress(db, goal, cast.member, settings, amount=1)
    _progress(db, goal, cast.admin, settings, amount=1)

    thanks = db.scalars(select(Notification).where(Notification.kind == "goal-reached")).all()
    assert sorted(n.person_id for n in thanks) == sorted([cast.member.id, cast.admin.id])
    for note in thanks:  # one message naming everyone, not one star
        assert "Mia Member and Ada Admin" in note.body
    [ideas] = db.scalars(select(Notification).where(Notification.kind == "goal-reward-ideas"))
    assert ideas.person_id == cast.lead.id
    assert "team lunch" in ideas.body and "shout-out round" in ideas.body
    assert "not one star" in ideas.body
    emails = db.scalars(select(OutboxEmail.to_address)).all()
    assert sorted(emails) == sorted([cast.member.email, cast.admin.email, cast.lead.email])


def test_a_goal_without_a_number_is_reached_when_someone_of_the_team_says_it_is_done(
    db: Session, cast: Cast, settings: Settings
) -> None:
    goal = _goal(db, cast.lead, cast.platform.id, title="Runbook for on-call", target=None, unit="")

    _progress(db, goal, cast.member, settings, note="First draft written")
    assert db.get(Goal, goal.id).status == "open"  # type: ignore[union-attr]
    _progress(db, goal, cast.lead, settings, note="Reviewed with Support", done=True)

    db.expire_all()
    assert db.get(Goal, goal.id).status == "reached"  # type: ignore[union-attr]
    [post] = db.scalars(select(Celebration)).all()
    assert "Runbook for on-call" in post.text and "Mia Member and Lee Lead" in post.text


def test_an_amount_on_a_goal_without_a_number_is_refused_naming_the_field(
    db: Session, cast: Cast, settings: Settings
) -> None:
    goal = _goal(db, cast.member, cast.platform.id, target=None, unit="")

    with pytest.raises(service.GoalError) as refused:
        _progress(db, goal, cast.member, settings, amount=3)
    db.rollback()

    assert refused.value.field == "amount"
    assert _count(db, Contribution) == 0


def test_a_reached_goal_takes_no_more_progress(db: Session, cast: Cast, settings: Settings) -> None:
    goal = _goal(db, cast.member, cast.platform.id, target=1, unit="")
    _progress(db, goal, cast.member, settings, amount=1)

    with pytest.raises(service.GoalError) as refused:
        _progress(db, goal, cast.lead, settings, amount=1)
    db.rollback()

    assert refused.value.field == "goal"
    assert _count(db, Contribution) == 1 and _count(db, Celebration) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"done_looks_like": ""}, "done_looks_like"),
        ({"target": 0}, "target"),
        ({"target": None, "unit": "sessions"}, "unit"),
        ({"due_on": "next quarter"}, "due_on"),
    ],
)
def test_bad_goal_input_names_the_field(changes: dict[str, object], field: str) -> None:
    values = {"team_id": 1, "title": "A goal", "done_looks_like": "Done", "target": 5}
    with pytest.raises(ValidationError) as refused:
        GoalIn.model_validate({**values, **changes})
    assert field in str(refused.value)


def test_progress_needs_an_amount_a_note_or_done() -> None:
    with pytest.raises(ValidationError) as refused:
        ProgressIn()
    assert "amount: record an amount, a note, or that the goal is done" in str(refused.value)
    with pytest.raises(ValidationError):
        ProgressIn(amount=-1)


def test_an_unknown_team_or_goal_is_not_found(db: Session, cast: Cast, settings: Settings) -> None:
    with pytest.raises(service.GoalNotFound):
        service.create_goal(db, cast.admin, GoalIn(team_id=987654, title="x", done_looks_like="y"))
    with pytest.raises(service.GoalNotFound):
        service.record_progress(db, 987654, cast.admin, ProgressIn(amount=1), settings)


def test_a_team_without_leads_prompts_the_leads_of_its_parent_team(
    db: Session, cast: Cast, settings: Settings
) -> None:
    assert cast.support.parent_id is not None
    db.add(TeamLead(team_id=cast.support.parent_id, person_id=cast.admin.id))  # leads Customer
    db.commit()
    goal = _goal(db, cast.other_member, cast.support.id, target=1, unit="")

    _progress(db, goal, cast.other_member, settings, amount=1)

    assert [p.id for p in service.team_leads(db, cast.platform)] == [cast.lead.id]
    [ideas] = db.scalars(select(Notification).where(Notification.kind == "goal-reward-ideas"))
    assert ideas.person_id == cast.admin.id


def test_two_people_reaching_the_goal_at_once_celebrate_it_once(
    factory: sessionmaker[Session], db: Session, cast: Cast, settings: Settings
) -> None:
    goal = _goal(db, cast.member, cast.platform.id, target=10, unit="")
    _progress(db, goal, cast.member, settings, amount=9)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def push(person_id: int) -> None:
        try:
            with transaction(factory) as session:
                person = session.get(Person, person_id)
                assert person is not None
                barrier.wait()
                service.record_progress(session, goal.id, person, ProgressIn(amount=1), settings)
            outcomes.append("recorded")
        except service.GoalError as error:
            outcomes.append(error.field)
        except Exception as error:  # SQLite: a loser may see "database is locked"
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=push, args=(p.id,)) for p in (cast.member, cast.lead)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    db.expire_all()
    assert outcomes.count("recorded") == 1, outcomes
    assert _count(db, Celebration) == 1
    assert db.get(Goal, goal.id).progress == 10  # type: ignore[union-attr]
    thanks = db.scalars(select(Notification).where(Notification.kind == "goal-reached")).all()
    assert len(thanks) == len({n.person_id for n in thanks})
