"""/api/v1/pairings: your groups and your "did you meet?" answers."""

from __future__ import annotations

from fastapi import APIRouter

from connectwell.core.db import utcnow
from connectwell.people.models import Person
from connectwell.programs import answers
from connectwell.programs.models import Group
from connectwell.programs.schemas import Answer, GroupOut
from connectwell.web.deps import DB, ApiViewer, AppSettings, PathId

router = APIRouter()


def _out(group: Group, person: Person) -> GroupOut:
    mine = next(m for m in group.members if m.person_id == person.id)
    return GroupOut(
        id=group.id,
        program_id=group.round.program_id,
        program=group.round.program.name,
        round_on=group.round.round_on,
        slot_start=group.slot_start,
        slot_end=group.slot_end,
        shared_hours=group.shared_hours,
        starter=group.starter,
        others=[
            {"id": m.person.id, "name": m.person.name, "email": m.person.email}
            for m in group.members
            if m.person_id != person.id
        ],
        met=mine.met,
        answered=mine.answered_at is not None,
    )


@router.get("", response_model=list[GroupOut])
def my_pairings(session: DB, viewer: ApiViewer) -> list[GroupOut]:
    return [_out(g, viewer.person) for g in answers.my_groups(session, viewer.person)]


@router.post("/{group_id}/answer", response_model=GroupOut)
def answer(
    data: Answer, session: DB, settings: AppSettings, viewer: ApiViewer, group_id: PathId
) -> GroupOut:
    """Did you meet? With three taps (1-5) for positive regard, mutuality and vitality."""
    answers.answer(session, group_id, viewer.person, data, utcnow().date(), settings=settings)
    group, _ = answers.group_for(session, group_id, viewer.person)
    return _out(group, viewer.person)
