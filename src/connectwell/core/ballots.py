"""The sealed ballot box: answers wait here, unreadable, until their round is counted.

Why it exists. A row written in the answering transaction can be joined to the person who
answered: on PostgreSQL it shares the transaction id (``xmin``) with the participation row
marked in the same transaction, and on SQLite its ``rowid`` (and on both its physical place)
follows the order of answering, which any request log gives. So while a round is open, an
answer is stored only as a *ballot*: a random key, the box it belongs to (``"pulse_round:12"``,
``"check_ins:34"``) and sealed bytes. When the round has closed, a counting job opens the whole
box at once, deletes the ballots and writes the answers, in shuffled order, in its own
transaction: every answer row then carries the counting transaction's id, not the answerer's,
and sits in random order.

Threat model, in plain words.

- Someone who reads the database (a database administrator, a stolen backup, a replica) while
  a round is open sees only sealed bytes: which box a ballot is in and how many ballots there
  are, never what anyone answered. The key is derived from the application's secret key
  (``settings.secret_key``), which is not stored in the database. On SQLite the table has no
  ``rowid`` (``WITHOUT ROWID``): ballots sit in the order of their random keys, not in the
  order people answered.
- After counting, the stored answers carry no person, no time and no order: they are written
  by one transaction, in a shuffled order, with random keys, and their attributes are
  coarsened to combinations that at least the anonymity floor of invited people share.
- A ballot is sealed with AES-GCM and the box as associated data, so it cannot be moved to
  another round or altered without failing to open.

What it does not cover, honestly.

- Someone holding both the database and the secret key while a round is open can open the
  ballots; on PostgreSQL they could then still match a ballot's ``xmin`` with its participation
  row. The defence there is the usual one: keep the secret key off the database host and out
  of database backups.
- The default install does *not* do that. When ``SECRET_KEY`` is not set, the key is generated
  into ``INSTANCE_PATH/secret_key``, the same folder as the SQLite file ``connectwell.db``: a
  copy of that folder, or a backup of it, holds both and opens every ballot of every open
  round. ``connectwell serve`` and ``connectwell migrate`` log a warning in that case
  (:func:`connectwell.core.config.secret_key_warning`). Set ``SECRET_KEY`` from the
  environment (a secrets manager, a systemd credential) and keep it out of the instance
  folder's backups.
- Deleted ballots stay in PostgreSQL's heap as dead tuples until VACUUM reclaims them (sealed
  all the same). On SQLite, ``PRAGMA secure_delete`` overwrites deleted ballots in the file
  (see :mod:`connectwell.core.db.engine`).
- The number of ballots in an open box is visible (it equals the number of people marked as
  having answered, which the reminder needs anyway).

Not Fernet: a Fernet token carries its creation time in plain text, which would date each
answer. AES-GCM with a random 96-bit nonce carries nothing but the ciphertext.

References: NIST SP 800-38D (GCM); RFC 5869 (HKDF).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from connectwell.core import errors
from connectwell.core.config import Settings
from connectwell.core.db.base import Base

INFO = b"connectwell ballot box v1"
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for


def _random_id() -> str:
    return secrets.token_hex(16)


class Ballot(Base):
    """One sealed answer waiting to be counted: no person, no time, a random key."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    box: Mapped[str] = mapped_column(String(64), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    # On SQLite a table with a text key still numbers its rows (``rowid``) in the order they
    # were written, which is the order people answered: without it, rows sit in key order.
    __table_args__ = ({"sqlite_with_rowid": False},)


class BallotError(errors.Invalid):
    """A ballot box that cannot be opened (the secret key changed, or a ballot was altered)."""


def _key(settings: Settings) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        settings.secret_key.encode()
    )


def seal(settings: Settings, box: str, payload: dict[str, Any]) -> bytes:
    """The payload as JSON, sealed with AES-256-GCM for ``box``: nonce followed by ciphertext."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return nonce + AESGCM(_key(settings)).encrypt(nonce, plain, box.encode())


def unseal(settings: Settings, box: str, sealed: bytes) -> dict[str, Any]:
    """Open one sealed ballot of ``box``; :class:`BallotError` if it does not open there."""
    try:
        plain = AESGCM(_key(settings)).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], box.encode()
        )
    except InvalidTag:
        raise BallotError(
            "box",
            f"a ballot in the box {box!r} does not open: it was sealed for another box or with "
            "another secret key (was CONNECTWELL_SECRET_KEY changed while a round was open?)",
        ) from None
    payload: dict[str, Any] = json.loads(plain)
    return payload


def drop(session: Session, settings: Settings, box: str, payload: dict[str, Any]) -> None:
    """Seal ``payload`` and put it in ``box``. Flushes; the caller's transaction commits."""
    session.add(Ballot(box=box, sealed=seal(settings, box, payload)))
    session.flush()


def waiting(session: Session, box: str) -> int:
    """How many ballots wait in ``box`` (nothing about what they say)."""
    return len(list(session.scalars(select(Ballot.id).where(Ballot.box == box))))


def take_all(session: Session, settings: Settings, box: str) -> list[dict[str, Any]]:
    """Open and delete every ballot of ``box``; their payloads in a random order.

    Every ballot is opened before any is deleted, so a box that does not open (a changed
    secret key) raises :class:`BallotError` and, the transaction rolled back, stays whole.
    The order is shuffled with the operating system's randomness, so neither the order of
    answering nor the ballots' random keys decide the order in which answers are stored.
    """
    rows = list(session.execute(select(Ballot.id, Ballot.sealed).where(Ballot.box == box)))
    payloads = [unseal(settings, box, bytes(sealed)) for _, sealed in rows]
    if rows:
        session.execute(
            delete(Ballot).where(Ballot.box == box).execution_options(synchronize_session=False)
        )
        session.flush()
    secrets.SystemRandom().shuffle(payloads)
    return payloads
