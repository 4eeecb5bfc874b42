"""Seed the demo organisation into an empty database."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectwell.accounts import service as accounts
from connectwell.core.config import get_settings
from connectwell.core.db import utcnow
from connectwell.demo.generator import DemoOrg, DemoPerson, generate_org
from connectwell.goals import service as goals
from connectwell.goals.schemas import GoalIn, ProgressIn
from connectwell.insights import network, publish, snapshots
from connectwell.people import roster
from connectwell.people.models import Person, Team
from connectwell.programs import answers, intros, rounds
from connectwell.programs import service as programs
from connectwell.programs.models import Cadence, GroupMember, Kind, Program
from connectwell.programs.schedule import round_dates
from connectwell.programs.schemas import Answer, ProgramIn
from connectwell.pulses import counting
from connectwell.pulses import service as pulses
from connectwell.pulses.models import Item, Participation
from connectwell.pulses.schemas import PulseAnswer, PulseIn
from connectwell.shoutouts import service as shoutouts
from connectwell.shoutouts.models import Recipient as ShoutOutRecipient
from connectwell.shoutouts.models import ShoutOut

DEMO_PASSWORD = "connectwell-demo"  # noqa: S105 - a public demo, printed on start


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str
    name: str
    team: str


def roster_csv(org: DemoOrg) -> str:
    return roster.rows_from_records(
        {
            "email": p.email,
            "name": p.name,
            "team": p.team,
            "manager_email": p.manager_email or "",
            "title": p.title,
            "timezone": p.timezone,
            "location": p.location,
            "start_date": p.start_date.isoformat(),
            "role": p.role,
        }
        for p in org.people
    )


def demo_cast(org: DemoOrg) -> dict[str, DemoPerson]:
    """The three people whose sign-in the demo prints: an admin, a lead and a member."""
    admin = next(p for p in org.people if p.role == "admin")
    lead = next(p for p in org.people if p.role == "lead" and p.team != admin.team)
    member = next(
        p for p in org.people if p.role == "member" and p.team not in (admin.team, lead.team)
    )
    return {"admin": admin, "lead": lead, "member": member}


def seed_demo(
    session: Session, *, people: int = 240, seed: int = 7, today: dt.date | None = None
) -> list[DemoSignIn] | None:
    """Fill an empty database with the demo organisation; None when people exist already."""
    if session.scalar(select(func.count()).select_from(Person)):
        return None
    today = today or utcnow().date()  # the clock of the counting jobs
    org = generate_org(people, seed=seed, today=today)
    roster.import_roster(
        session, roster.parse_roster(roster_csv(org), filename="demo roster"), actor=None
    )
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    sign_ins = []
    for role, demo_person in demo_cast(org).items():
        person = session.scalar(select(Person).where(Person.email == demo_person.email))
        assert person is not None
        accounts.set_password(session, person, DEMO_PASSWORD, password_hash=password_hash)
        sign_ins.append(
            DemoSignIn(role, person.email, DEMO_PASSWORD, person.name, demo_person.team)
        )
    seed_programs(session, today=today, seed=seed)
    seed_goals(session, today=today, seed=seed)
    seed_shoutouts(session, today=today, seed=seed)
    seed_pulses(session, today=today, seed=seed)
    return sign_ins


def after_every_zone(day: dt.date) -> dt.datetime:
    """Noon UTC the next day: past 09:00 on ``day`` in every time zone on Earth."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)


def start_of(day: dt.date) -> dt.datetime:
    """00:00 UTC on ``day``: when the demo counts and publishes. Made on ``day`` (the UTC
    date), nothing is then dated in the future; rounds whose last day is ``day`` or later stay
    open, their answers sealed."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def seed_programs(session: Session, *, today: dt.date, seed: int, weeks: int = 12) -> Program:
    """A weekly coffee programme with ``weeks`` of history (intros, answers, check-ins), and
    an onboarding-buddies programme with a few volunteers."""
    rng = random.Random(seed)
    coffee = programs.create_program(
        session,
        ProgramIn(
            name="Coffee across teams",
            description="Thirty minutes with someone from another team, every week.",
            cadence=Cadence.weekly,
            weekday=0,
            local_hour=9,
            starts_on=today - dt.timedelta(weeks=weeks),
        ),
        actor=None,
    )
    past = [day for day in round_dates(coffee.starts_on, 0, "weekly", today) if day < today]
    settings = get_settings()
    for day in past[-weeks:]:
        rounds.run_round(session, coffee, day, actor=None, connections=network.connection_counts)
        intros.send_due_intros(session, settings, after_every_zone(day))
        for member in session.scalars(
            select(GroupMember).where(
                GroupMember.answered_at.is_(None), GroupMember.intro_sent_at.is_not(None)
            )
        ):
            if rng.random() < 0.25:
                continue  # some people never answer
            met = rng.random() < 0.8
            taps = (
                [min(5, max(1, round(rng.gauss(4.1, 0.8)))) for _ in range(3)]
                if met
                else [None] * 3
            )
            if day + dt.timedelta(days=3) > member.group.round.check_ins_close_on:
                continue  # too late for an older round's check-in: it has closed
            answers.answer(
                session,
                member.group_id,
                member.person,
                Answer(met=met, positive_regard=taps[0], mutuality=taps[1], vitality=taps[2]),
                day + dt.timedelta(days=3),
                settings=settings,
            )
    # Check-ins are counted once a round's last check-in day has passed; the newest stay sealed.
    answers.count_closed_check_ins(session, settings, start_of(today))
    buddies = programs.create_program(
        session,
        ProgramIn(
            name="Onboarding buddies",
            kind=Kind.buddies,
            cadence=Cadence.weekly,
            weekday=0,
            starts_on=today,
            description="Every new hire gets a buddy from another team.",
        ),
        actor=None,
    )
    veterans = session.scalars(
        select(Person)
        .where(Person.start_date < today - dt.timedelta(days=365))
        .order_by(Person.id)
        .limit(12)
    )
    for person in veterans:
        programs.set_buddy_capacity(session, buddies, person, 2)
    return coffee


def demo_sign_ins(session: Session, *, people: int = 240, seed: int = 7) -> list[DemoSignIn]:
    """The demo's sign-ins, to print again on later starts (the generator is deterministic)."""
    org = generate_org(people, seed=seed)
    result = []
    for role, demo_person in demo_cast(org).items():
        if session.scalar(select(Person.id).where(Person.email == demo_person.email)):
            result.append(
                DemoSignIn(
                    role, demo_person.email, DEMO_PASSWORD, demo_person.name, demo_person.team
                )
            )
    return result


SHOUTOUT_MESSAGES = (
    ("enabling", "Thank you for pairing with me on the migration: I would still be stuck."),
    ("enabling", "Your review caught the bug before our customers did. Thank you!"),
    ("respect", "Thanks for really listening in the retro, it made it easy to speak up."),
    ("respect", "You made the new starters feel at home this week."),
    ("trust", "Thank you for owning the outage calmly and sharing what we learned."),
    ("trust", "You always do what you say you will. It makes planning so much easier."),
    ("play", "The quiz on Friday was the best half hour of my week!"),
    ("play", "Thanks for organising the walk at lunch, great idea."),
    ("enabling", "Your docs for the release process saved me an afternoon."),
    ("respect", "Thank you for making time for my questions despite your deadline."),
)


def seed_shoutouts(session: Session, *, today: dt.date, seed: int, count: int = 360) -> None:
    """A few hundred shout-outs over the last 12 weeks, mostly across teams, some to a team."""
    rng = random.Random(seed + 1)
    members = list(session.scalars(select(Person).where(Person.is_active).order_by(Person.id)))
    teams = sorted({p.team_id for p in members if p.team_id})
    start = dt.datetime.combine(today - dt.timedelta(weeks=12), dt.time(9), tzinfo=dt.UTC)
    rows = []
    for n in range(count):
        sender = rng.choice(members)
        pathway, message = rng.choice(SHOUTOUT_MESSAGES)
        when = start + dt.timedelta(minutes=int(n * 12 * 7 * 24 * 60 / count))
        to_team = rng.random() < 0.1
        other = rng.choice([p for p in members[:200] if p.id != sender.id])
        visibility = rng.choices(["everyone", "teams", "private"], weights=[85, 10, 5])[0]
        shoutout = ShoutOut(
            sender_id=sender.id,
            message=message,
            pathway=pathway,
            visibility=visibility,
            created_at=when,
            message_hash=shoutouts.message_hash(f"{message} #{n}", [other.id], []),
        )
        team_id = rng.choice(teams)
        shoutout.recipients = (
            [ShoutOutRecipient(team_id=team_id, recipient_team_id=team_id)]
            if to_team
            else [ShoutOutRecipient(person_id=other.id, recipient_team_id=other.team_id)]
        )
        rows.append(shoutout)
    session.add_all(rows)
    session.flush()


# --- team goals ----------------------------------------------------------------------------

REACHED_GOALS = (
    ("Ten help sessions for other teams", "Ten sessions where we helped another team", 10,
     "help sessions"),
    ("Every newcomer has a buddy", "Each new hire this quarter met a buddy in week one", 4,
     "newcomers"),
    ("Write our team's runbook together", "A runbook everyone has read and added to", 6,
     "sections"),
)  # fmt: skip
OPEN_GOALS = (
    ("20 help sessions across teams this quarter", "Twenty sessions helping other teams", 20,
     "help sessions"),
    ("Thank someone outside the team every week", "A shout-out to another team each week", 12,
     "weeks"),
)  # fmt: skip


def seed_goals(session: Session, *, today: dt.date, seed: int) -> int:
    """A reached goal (celebrated; for every other team within the last week, so the digest
    has celebrations) and an open goal with progress, for each team with two or more people.
    Returns how many goals were set."""
    rng = random.Random(seed)
    settings = get_settings()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    count = 0
    for index, team in enumerate(session.scalars(select(Team).order_by(Team.id)).all()):
        members = list(
            session.scalars(
                select(Person)
                .where(Person.team_id == team.id, Person.is_active)
                .order_by(Person.id)
            )
        )
        if len(members) < 2:
            continue
        helpers = rng.sample(members, min(len(members), rng.randint(2, 4)))
        title, done, target, unit = REACHED_GOALS[index % len(REACHED_GOALS)]
        reached_on = noon - dt.timedelta(days=rng.randint(1, 5) + (0 if index % 2 else 14))
        reached = goals.create_goal(
            session,
            helpers[0],
            GoalIn(team_id=team.id, title=title, done_looks_like=done, target=target, unit=unit),
            now=reached_on - dt.timedelta(weeks=6),
        )
        shares = [target // len(helpers)] * len(helpers)
        shares[-1] += target - sum(shares)
        for step, (person, share) in enumerate(zip(helpers, shares, strict=True)):
            at = reached_on - dt.timedelta(days=3 * (len(helpers) - 1 - step))
            goals.record_progress(
                session, reached.id, person, ProgressIn(amount=share), settings, now=at
            )
        title, done, target, unit = OPEN_GOALS[index % len(OPEN_GOALS)]
        started = noon - dt.timedelta(weeks=4)
        open_goal = goals.create_goal(
            session,
            helpers[-1],
            GoalIn(team_id=team.id, title=title, done_looks_like=done, target=target, unit=unit),
            now=started,
        )
        for step, person in enumerate(rng.sample(members, min(len(members), 3))):
            goals.record_progress(
                session,
                open_goal.id,
                person,
                ProgressIn(amount=rng.randint(1, 3), note=rng.choice(("", "Paired with Support"))),
                settings,
                now=started + dt.timedelta(days=5 * (step + 1)),
            )
        count += 2
    return count


def seed_pulses(session: Session, *, today: dt.date, seed: int, weeks: int = 20) -> None:
    """A weekly pulse with ``weeks`` of answers (about 70% answer), where some teams feel
    better than others and play lags; then every closed round is counted and published.

    Each round asks one construct's whole set, so a weekly pulse brings all ten constructs
    round within ten weeks, and twenty weeks give each construct a trend of two points.
    Answers come from a latent level per person and construct (the team's mood, the
    construct's lag and the person's own leaning, fixed across rounds) plus noise per statement
    (:func:`_item_answer`): a scale that hangs together, alpha about 0.8.
    """
    rng = random.Random(seed + 2)
    pulse = pulses.create_pulse(
        session,
        PulseIn(
            name="Connection pulse",
            cadence="weekly",
            weekday=1,
            local_hour=10,
            starts_on=today - dt.timedelta(weeks=weeks),
        ),
        actor=None,
    )
    mood = {team_id: rng.gauss(0, 0.5) for team_id in session.scalars(select(Team.id))}
    settings = get_settings()
    lag = {"play": -0.8, "trusting": -0.3, "loneliness": -1.5}  # a higher score is lonelier
    levels: dict[tuple[int, str], float] = {}  # latent: one per person and construct
    ease: dict[int, float] = {}  # how readily people agree with each statement
    for day in round_dates(pulse.starts_on, pulse.weekday, pulse.cadence, today):
        row = pulses.open_round(session, pulse, day, actor=None)
        if row is None:
            continue
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(row.item_ids)))}
        invited = session.scalars(
            select(Person)
            .join(Participation, Participation.person_id == Person.id)
            .where(Participation.round_id == row.id)
        )
        for person in invited:
            if rng.random() > 0.7:
                continue
            values: dict[int, int | None] = {}
            for item_id in row.item_ids:
                item = items[item_id]
                key = (person.id, item.construct.key)  # each person answers consistently
                if key not in levels:
                    team_mood = mood.get(person.team_id or 0, 0)
                    levels[key] = 3.7 + team_mood + lag.get(key[1], 0) + rng.gauss(0, 0.6)
                shift = ease.setdefault(item_id, rng.gauss(0, 0.2))
                values[item_id] = _item_answer(levels[key] + shift, item.reverse_coded, rng)
            pulses.answer(
                session,
                person,
                row.id,
                PulseAnswer(answers=values),
                min(today, day + dt.timedelta(days=rng.randint(0, 3))),
                settings=settings,
            )
    # Closed rounds are counted; the newest may still be open, its answers sealed.
    counting.count_closed_rounds(session, settings, start_of(today))
    snapshots.store_network(session, today=today, floor=settings.anonymity_floor)
    publish.publish_due(session, floor=settings.anonymity_floor, now=start_of(today))


ITEM_NOISE = 0.6
"""Standard deviation of one answer around the person's level (before rounding)."""


def _item_answer(level: float, reverse_coded: bool, rng: random.Random) -> int:
    """One answer on the 1-5 agreement scale: the latent ``level`` plus item noise, rounded and
    kept on the scale; a reverse-coded statement is agreed with the other way round."""
    value = min(5, max(1, round(rng.gauss(level, ITEM_NOISE))))
    return 6 - value if reverse_coded else value
