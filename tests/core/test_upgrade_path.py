"""Upgrading an install that has answers: nothing is lost, and nothing stays linkable.

Each test builds a database at ``0009_messages`` (before the ballot box), writes answers the way
the old version did, in the answering order with exact attributes, then upgrades to the newest
revision, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from connectwell.core.db import make_engine
from connectwell.core.db.migrate import alembic_config, current_revision, upgrade
from connectwell.stats import Attributes, shared_by
from tests.conftest import _postgres_url

BEFORE = "0009_messages"
FLOOR = 5
OPENS_ON = dt.date(2026, 10, 5)
NOW = dt.datetime(2026, 10, 1, 9, 0)
PARENTS: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: None}  # Engineering > Platform, Data


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """An empty database of each kind, migrated to ``0009_messages`` only."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        admin = None
        name = ""
    else:
        server_url = _postgres_url()
        if server_url is None:
            pytest.skip("PostgreSQL not configured")
        server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"connectwell_upgrade_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    _upgrade_to(engine, BEFORE)
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade_to(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["anonymity_floor"] = FLOOR
        command.upgrade(config, revision)


def _insert(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":{c}" for c in columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608 - our own names
    connection.execute(text(insert), rows)


@dataclass
class Legacy:
    """What the old version stored, in the order it stored it."""

    respondents: list[Attributes]  # the people who answered the pulse round, as of OPENS_ON
    met: list[Attributes]  # the group members who said they met
    responses: list[tuple[str, tuple[tuple[int, int], ...]]]  # comment, (item, value) pairs
    check_ins: list[tuple[int, int, int]]


# 20 people: Platform 8, Data 6, Support 6; tenure and location vary so that several
# respondents are the only one with their exact (team, tenure band, location).
PEOPLE = [
    (2, dt.date(2026, 3, 1), "London"), (2, dt.date(2026, 3, 1), "London"),
    (2, dt.date(2026, 3, 1), "London"), (2, dt.date(2026, 3, 1), "London"),
    (2, dt.date(2026, 3, 1), "London"), (2, dt.date(2024, 3, 1), "Berlin"),
    (2, dt.date(2020, 3, 1), "London"), (2, None, ""),
    (3, dt.date(2025, 1, 1), "Berlin"), (3, dt.date(2025, 1, 1), "Berlin"),
    (3, dt.date(2025, 1, 1), "Berlin"), (3, dt.date(2019, 1, 1), "Lagos"),
    (3, dt.date(2025, 1, 1), "Berlin"), (3, dt.date(2025, 1, 1), "Lisbon"),
    (4, dt.date(2022, 6, 1), "London"), (4, dt.date(2022, 6, 1), "London"),
    (4, dt.date(2022, 6, 1), "London"), (4, dt.date(2022, 6, 1), "London"),
    (4, dt.date(2022, 6, 1), "London"), (4, dt.date(2026, 9, 1), "Tokyo"),
]  # fmt: skip
ANSWERED = set(range(1, 21)) - {4, 15, 19}  # 17 of 20 answered
MET_GROUPS = 8  # of 10 pairs (people 2k-1, 2k), the first 8 met


def _band(start: dt.date | None) -> str:
    if start is None:
        return ""
    years = (OPENS_ON - start).days / 365.25
    return "under 1 year" if years < 1 else ("1-3 years" if years < 3 else "3 years or more")


def _seed(engine: Engine) -> Legacy:
    """Write a pulse round and a programme round the way version 0009 did."""
    with engine.begin() as c:
        _insert(c, "teams", [
            {"id": 1, "name": "Engineering", "parent_id": None, "created_at": NOW},
            {"id": 2, "name": "Platform", "parent_id": 1, "created_at": NOW},
            {"id": 3, "name": "Data", "parent_id": 1, "created_at": NOW},
            {"id": 4, "name": "Support", "parent_id": None, "created_at": NOW},
        ])  # fmt: skip
        _insert(c, "people", [
            {"id": n, "email": f"p{n}@example.org", "name": f"Person {n}", "title": "",
             "team_id": team, "manager_id": None, "timezone": "UTC", "location": place,
             "start_date": start, "role": "member", "is_active": True, "bio": "",
             "interests": "", "paused_until": None, "pause_reason": "", "created_at": NOW,
             "updated_at": NOW}
            for n, (team, start, place) in enumerate(PEOPLE, start=1)
        ])  # fmt: skip
        _insert(c, "constructs", [{
            "id": 1, "key": "trusting", "name": "Trusting", "family": "pathway",
            "description": "", "builtin": True,
        }])  # fmt: skip
        _insert(c, "items", [
            {"id": i, "construct_id": 1, "text": f"Item {i}", "reverse_coded": False,
             "builtin": True, "is_active": True}
            for i in (1, 2)
        ])  # fmt: skip
        _insert(c, "pulses", [{
            "id": 1, "name": "Weekly", "audience": "everyone", "team_ids": json.dumps([]),
            "cadence": "weekly", "weekday": 0, "local_hour": 9, "starts_on": OPENS_ON,
            "reminder_after_days": 2, "open_days": 5, "is_active": True, "created_at": NOW,
        }])  # fmt: skip
        _insert(c, "pulse_rounds", [{
            "id": 1, "pulse_id": 1, "opens_on": OPENS_ON,
            "closes_on": OPENS_ON + dt.timedelta(days=5), "sequence": 0,
            "item_ids": json.dumps([1, 2]), "invited": len(PEOPLE),
        }])  # fmt: skip
        _insert(c, "pulse_participation", [
            {"round_id": 1, "person_id": n, "invited_at": NOW, "reminded_at": None,
             "answered": n in ANSWERED}
            for n in range(1, len(PEOPLE) + 1)
        ])  # fmt: skip
        responses = []
        for k, n in enumerate(sorted(ANSWERED)):  # in the order they answered
            team, start, place = PEOPLE[n - 1]
            key = uuid.uuid4().hex
            answers = ((1, k % 5 + 1), (2, (k + 2) % 5 + 1))
            _insert(c, "pulse_responses", [{
                "id": key, "round_id": 1, "team_id": team, "tenure_band": _band(start),
                "location": place, "answered_on": OPENS_ON, "comment": f"comment {k}",
            }])  # fmt: skip
            _insert(
                c,
                "pulse_answers",
                [{"response_id": key, "item_id": item, "value": value} for item, value in answers],
            )
            responses.append((f"comment {k}", answers))
        _insert(c, "programs", [{
            "id": 1, "name": "Coffee", "description": "", "kind": "coffee",
            "audience": "everyone", "cadence": "weekly", "weekday": 0, "local_hour": 9,
            "group_size": 2, "no_repeat_weeks": 4, "team_mix": "any", "min_overlap_hours": 1.0,
            "followup_days": 7, "starts_on": OPENS_ON, "is_active": True, "created_at": NOW,
        }])  # fmt: skip
        _insert(c, "rounds", [{
            "id": 1, "program_id": 1, "round_on": OPENS_ON, "created_at": NOW,
            "participants": len(PEOPLE), "weight": 0, "certified_ratio": None, "repeats": 0,
            "same_team_pairs": 0, "pairs_without_shared_hours": 0, "seconds": 0.1,
        }])  # fmt: skip
        check_ins = []
        for g in range(1, len(PEOPLE) // 2 + 1):
            _insert(c, "groups", [{
                "id": g, "round_id": 1, "uid": f"g{g}", "sequence": g, "slot_start": NOW,
                "slot_end": NOW, "shared_hours": True, "starter": "",
            }])  # fmt: skip
            for person in (2 * g - 1, 2 * g):
                met = g <= MET_GROUPS
                _insert(c, "group_members", [{
                    "id": person, "group_id": g, "person_id": person, "intro_sent_at": NOW,
                    "followup_sent_at": NOW, "met": met, "answered_at": NOW if met else None,
                    "private_note": "",
                }])  # fmt: skip
                if met:  # answered the moment they said they met
                    taps = (person % 5 + 1, (person // 5) % 5 + 1, (person * 3) % 5 + 1)
                    _insert(c, "check_ins", [{
                        "id": uuid.uuid4().hex, "program_id": 1, "round_id": 1,
                        "positive_regard": taps[0], "mutuality": taps[1], "vitality": taps[2],
                        "created_on": OPENS_ON, "team_id": PEOPLE[person - 1][0],
                    }])  # fmt: skip
                    check_ins.append(taps)
        _insert(c, "insight_snapshots", [{
            "scope": "org", "computed_at": NOW, "window_start": OPENS_ON, "window_end": OPENS_ON,
            "payload": json.dumps({"name": "The organisation", "network": {"isolated": 0}}),
        }])  # fmt: skip
    return Legacy(
        respondents=[
            Attributes(PEOPLE[n - 1][0], _band(PEOPLE[n - 1][1]), PEOPLE[n - 1][2])
            for n in sorted(ANSWERED)
        ],
        met=[Attributes(PEOPLE[n - 1][0]) for n in range(1, 2 * MET_GROUPS + 1)],
        responses=responses,
        check_ins=check_ins,
    )


def _physical(engine: Engine, sql: str) -> list[Any]:
    """Rows in the order they sit in the table (SQLite rowid, PostgreSQL ctid)."""
    order = "rowid" if engine.dialect.name == "sqlite" else "ctid"
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"{sql} ORDER BY {order}"))]


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def _stored_responses(engine: Engine) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    with engine.connect() as connection:
        answers: dict[str, list[tuple[int, int]]] = {}
        for response, item, value in connection.execute(
            text("SELECT response_id, item_id, value FROM pulse_answers")
        ):
            answers.setdefault(response, []).append((item, value))
        return [
            (comment, tuple(sorted(answers.get(key, []))))
            for key, comment in connection.execute(text("SELECT id, comment FROM pulse_responses"))
        ]


def test_upgrading_keeps_every_pulse_answer_and_check_in(old_engine: Engine) -> None:
    legacy = _seed(old_engine)

    upgrade(old_engine, anonymity_floor=FLOOR)

    assert current_revision(old_engine) == "0015_programme_options"
    assert Counter(_stored_responses(old_engine)) == Counter(legacy.responses)
    assert _rows(old_engine, "SELECT count(*) FROM pulse_answers") == [(2 * len(ANSWERED),)]
    taps = _physical(old_engine, "SELECT positive_regard, mutuality, vitality FROM check_ins")
    assert Counter(taps) == Counter(legacy.check_ins)


def test_the_column_drops_rebuild_no_table_and_cascade_no_delete(old_engine: Engine) -> None:
    legacy = _seed(old_engine)
    keys_before = _physical(old_engine, "SELECT id FROM pulse_responses")
    check_ins_before = _physical(old_engine, "SELECT id FROM check_ins")

    _upgrade_to(old_engine, "0012_publications")

    # The same rows under the same keys in the same places: the tables were altered in place.
    assert _physical(old_engine, "SELECT id FROM pulse_responses") == keys_before
    assert _physical(old_engine, "SELECT id FROM check_ins") == check_ins_before
    assert Counter(_stored_responses(old_engine)) == Counter(legacy.responses)


def test_upgrading_empties_the_insight_snapshots_of_the_old_version(old_engine: Engine) -> None:
    _seed(old_engine)

    upgrade(old_engine, anonymity_floor=FLOOR)

    assert _rows(old_engine, "SELECT scope FROM insight_snapshots") == []


def test_legacy_answers_are_coarsened_to_the_floor_of_the_round_s_respondents(
    old_engine: Engine,
) -> None:
    legacy = _seed(old_engine)
    exact = [
        person for person in legacy.respondents
        if shared_by(person, legacy.respondents, PARENTS) < FLOOR
    ]  # fmt: skip
    assert exact, "the seed must hold answers that name their author before the upgrade"

    upgrade(old_engine, anonymity_floor=FLOOR)

    stored = [
        Attributes(team, band, place)
        for team, band, place in _physical(
            old_engine, "SELECT team_id, tenure_band, location FROM pulse_responses"
        )
    ]
    assert len(stored) == len(legacy.respondents)
    assert min(shared_by(s, legacy.respondents, PARENTS) for s in stored) >= FLOOR
    check_in_teams = _physical(old_engine, "SELECT team_id FROM check_ins")
    assert min(shared_by(Attributes(t), legacy.met, PARENTS) for (t,) in check_in_teams) >= FLOOR


def test_legacy_answers_no_longer_sit_in_the_order_people_answered(old_engine: Engine) -> None:
    legacy = _seed(old_engine)
    keys_before = {key for (key,) in _physical(old_engine, "SELECT id FROM pulse_responses")}

    upgrade(old_engine, anonymity_floor=FLOOR)

    comments = [c for (c,) in _physical(old_engine, "SELECT comment FROM pulse_responses")]
    assert comments != [comment for comment, _ in legacy.responses]
    taps = _physical(old_engine, "SELECT positive_regard, mutuality, vitality FROM check_ins")
    assert taps != legacy.check_ins
    keys_after = {key for (key,) in _physical(old_engine, "SELECT id FROM pulse_responses")}
    assert keys_after.isdisjoint(keys_before)  # new random keys


@pytest.mark.parametrize("old_engine", ["postgresql"], indirect=True)
def test_on_postgresql_legacy_rows_share_their_transaction_with_everyone_in_the_round(
    old_engine: Engine,
) -> None:
    _seed(old_engine)

    upgrade(old_engine, anonymity_floor=FLOOR)

    tables = ("pulse_responses", "pulse_answers", "pulse_participation", "check_ins",
              "group_members")  # fmt: skip
    xmins = {
        xmin
        for table in tables
        for (xmin,) in _rows(old_engine, f"SELECT DISTINCT xmin::text FROM {table}")  # noqa: S608
    }
    assert len(xmins) == 1
