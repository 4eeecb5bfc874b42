"""Ids as a request names them: every id column is a 32-bit integer (PostgreSQL's ``integer``).

An id outside that range names no row; checked here, it is a 422 naming the field instead
of an overflow in the database driver (a 500).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
