"""Database: the declarative base, the engine, sessions and the migrations."""

from connectwell.core.db.base import Base, utcnow
from connectwell.core.db.claims import JobClaim, claim
from connectwell.core.db.engine import make_engine, make_session_factory, transaction

__all__ = [
    "Base",
    "JobClaim",
    "claim",
    "make_engine",
    "make_session_factory",
    "transaction",
    "utcnow",
]
