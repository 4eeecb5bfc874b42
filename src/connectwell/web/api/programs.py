"""/api/v1/programs: programmes, your part in them, and (admins) their rounds in aggregate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, status

from connectwell.insights import service as insights
from connectwell.programs import answers
from connectwell.programs import service as programs
from connectwell.programs.models import Program
from connectwell.programs.schemas import MembershipOut, ProgramIn, ProgramOut, ProgramSettings
from connectwell.web.deps import DB, ApiAdmin, ApiViewer, AppSettings, PathId

router = APIRouter()


def _out(program: Program) -> ProgramOut:
    return ProgramOut(
        id=program.id,
        name=program.name,
        description=program.description,
        kind=program.kind,
        audience=program.audience,
        team_ids=[t.team_id for t in program.teams],
        cadence=program.cadence,
        weekday=program.weekday,
        local_hour=program.local_hour,
        group_size=program.group_size,
        no_repeat_weeks=program.no_repeat_weeks,
        team_mix=program.team_mix,
        mix_levels=program.mix_levels,
        mix_locations=program.mix_locations,
        match_interests=program.match_interests,
        min_overlap_hours=program.min_overlap_hours,
        followup_days=program.followup_days,
        starts_on=program.starts_on,
        is_active=program.is_active,
        next_round_on=programs.next_round_on(program, dt.date.today()),
    )


def _membership(session: DB, program: Program, viewer: ApiViewer) -> MembershipOut:
    standing = programs.standing(session, program, viewer.person, dt.date.today())
    row = standing.membership
    return MembershipOut(
        program_id=program.id,
        taking_part=standing.taking_part,
        joined=row.joined if row else program.audience != "opt_in",
        skip_round_on=row.skip_round_on if row else None,
        paused_until=row.paused_until if row else None,
        buddy_capacity=row.buddy_capacity if row else 0,
    )


@router.get("", response_model=list[ProgramOut])
def list_programs(session: DB, viewer: ApiViewer) -> list[ProgramOut]:
    return [_out(p) for p in programs.list_programs(session, active_only=not viewer.is_admin)]


@router.post("", response_model=ProgramOut, status_code=status.HTTP_201_CREATED)
def create_program(data: ProgramIn, session: DB, viewer: ApiAdmin) -> ProgramOut:
    return _out(programs.create_program(session, data, actor=viewer.person))


@router.put("/{program_id}", response_model=ProgramOut)
def change_program(
    data: ProgramSettings, session: DB, viewer: ApiAdmin, program_id: PathId
) -> ProgramOut:
    """Change a programme's settings (all of them: what is left out takes its default). The
    kind and the first day stay; the changes apply from the next round."""
    program = programs.get_program(session, program_id)
    return _out(programs.update_program(session, program, data, actor=viewer.person))


@router.get("/{program_id}", response_model=ProgramOut)
def get_program(session: DB, viewer: ApiViewer, program_id: PathId) -> ProgramOut:
    program = programs.get_program(session, program_id)
    if not program.is_active and not viewer.is_admin:
        raise programs.ProgramNotFound("program", f"no programme {program_id}")
    return _out(program)


@router.get("/{program_id}/membership", response_model=MembershipOut)
def my_membership(session: DB, viewer: ApiViewer, program_id: PathId) -> MembershipOut:
    return _membership(session, programs.get_program(session, program_id), viewer)


@router.post("/{program_id}/join", response_model=MembershipOut)
def join(session: DB, viewer: ApiViewer, program_id: PathId) -> MembershipOut:
    program = programs.get_program(session, program_id)
    programs.join(session, program, viewer.person)
    return _membership(session, program, viewer)


@router.post("/{program_id}/leave", response_model=MembershipOut)
def leave(session: DB, viewer: ApiViewer, program_id: PathId) -> MembershipOut:
    program = programs.get_program(session, program_id)
    programs.leave(session, program, viewer.person)
    return _membership(session, program, viewer)


@router.post("/{program_id}/skip", response_model=MembershipOut)
def skip_next(session: DB, viewer: ApiViewer, program_id: PathId) -> MembershipOut:
    """Sit out the next round only."""
    program = programs.get_program(session, program_id)
    programs.skip_next(session, program, viewer.person, dt.date.today())
    return _membership(session, program, viewer)


@router.get("/{program_id}/rounds")
def rounds_overview(
    session: DB, settings: AppSettings, viewer: ApiAdmin, program_id: PathId
) -> list[dict[str, Any]]:
    """Admins: each round's counts, and its check-in figures as published for the
    organisation after its check-ins closed (the page's numbers, at the page's precision)."""
    program = programs.get_program(session, program_id)
    summaries = answers.overview(session, program)
    check_ins = insights.round_check_ins(
        session, [s.round for s in summaries], floor=settings.anonymity_floor
    )
    return [
        {
            "round_on": s.round.round_on,
            "participants": s.round.participants,
            "groups": s.groups,
            "answered": s.answered,
            "check_ins": {
                "status": check_ins[s.round.id].status,
                "words": check_ins[s.round.id].words,
                "figures": (
                    figures.model_dump(mode="json")
                    if (figures := check_ins[s.round.id].figures) is not None
                    else None
                ),
            },
            "repeats": s.round.repeats,
            "same_team_pairs": s.round.same_team_pairs,
            "pairs_without_shared_hours": s.round.pairs_without_shared_hours,
            "certified_ratio": s.round.certified_ratio,
        }
        for s in summaries
    ]
