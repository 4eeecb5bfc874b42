"""Configuration: the one place that reads environment variables.

Every setting has a default that works on a laptop. A setting that is present but wrong fails
loudly at start-up (pydantic names the variable), never later in a request.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """connectwell's settings, each read from the environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    instance_path: Path = Field(
        default=Path("instance"),
        description="Folder for the SQLite file, the generated secret key and uploads.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file in the instance folder.",
    )
    secret_key: str = Field(
        default="",
        description="Signs CSRF tokens and keys token hashes; generated and kept when empty.",
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Used in e-mailed links.")
    organisation_name: str = "connectwell"

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "connectwell <connectwell@localhost>"

    default_timezone: str = "UTC"
    session_days: Annotated[int, Field(ge=1, le=90)] = 14
    login_max_failures: Annotated[int, Field(ge=1)] = 5
    login_failure_window_seconds: Annotated[int, Field(ge=1)] = 900
    anonymity_floor: Annotated[int, Field(ge=3)] = 5
    shoutout_daily_quota: Annotated[int, Field(ge=1, le=100)] = 5
    shoutout_repeat_minutes: Annotated[int, Field(ge=0, le=1440)] = 10
    # The web app's connections to the database, per process: up to 20, so two instances
    # with two web processes each stay under PostgreSQL's default max_connections (100) with
    # room for workers and psql. FastAPI runs handlers in 40 threads; a request holds a
    # connection for milliseconds, so a thread seldom waits, and one that waits in vain gets a
    # 503 with Retry-After, never a 500. Raise both with max_connections.
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    database_max_overflow: Annotated[int, Field(ge=0)] = 10
    database_pool_timeout_seconds: Annotated[float, Field(gt=0)] = 10.0
    cookie_secure: bool = Field(
        default=False,
        description="Send cookies over HTTPS only; always on when base_url is https.",
    )

    # True when SECRET_KEY was not set and the key was read from INSTANCE_PATH/secret_key.
    _secret_key_in_instance: bool = PrivateAttr(default=False)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.instance_path.mkdir(parents=True, exist_ok=True)
            self.database_url = f"sqlite:///{(self.instance_path / 'connectwell.db').resolve()}"
        if self.database_url.startswith("postgresql://"):
            self.database_url = "postgresql+psycopg://" + self.database_url.removeprefix(
                "postgresql://"
            )
        if self.base_url.lower().startswith("https://"):
            self.cookie_secure = True  # served over HTTPS: cookies must never travel without it
        if not self.secret_key:
            self.secret_key = _instance_secret(self.instance_path)
            self._secret_key_in_instance = True
        return self

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def secret_key_in_instance(self) -> bool:
        """Whether the secret key is the generated file in the instance folder."""
        return self._secret_key_in_instance


def secret_key_warning(settings: Settings) -> str | None:
    """Words for the operator when the key that opens ballots sits beside the database.

    With a SQLite database and no ``SECRET_KEY`` in the environment, the secret key is the
    file ``INSTANCE_PATH/secret_key``, in the same folder as ``connectwell.db``: whoever
    copies that folder (or a backup of it) can open every sealed answer of an open round
    (see :mod:`connectwell.core.ballots`). None when the key comes from the environment or the
    database is elsewhere.
    """
    if not (settings.database_url.startswith("sqlite") and settings.secret_key_in_instance):
        return None
    path = settings.instance_path / SECRET_FILE
    return (
        f"SECRET_KEY is not set: the secret key is read from {path}, in the same folder as the "
        "SQLite database. Anyone with a copy of that folder (or of a backup of it) can open "
        "the sealed answers of open pulse rounds and check-ins. Set SECRET_KEY in the "
        "environment (at least 32 characters, for example the contents of that file), keep "
        "it out of backups of the instance folder, then delete the file."
    )


def _instance_secret(instance_path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / SECRET_FILE
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    value = path.read_text().strip()
    if len(value) < 32:
        raise RuntimeError(f"{path}: the secret key is shorter than 32 characters")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
