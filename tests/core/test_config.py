"""Configuration comes from the environment, in one place, and fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectwell.core.config import SECRET_FILE, Settings, secret_key_warning


def test_it_generates_a_secret_once_and_keeps_it_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Settings(instance_path=tmp_path)
    second = Settings(instance_path=tmp_path)

    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600


def test_it_defaults_to_a_sqlite_file_and_accepts_a_postgresql_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings(instance_path=tmp_path).database_url.startswith("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/cw")
    assert Settings(instance_path=tmp_path).database_url == "postgresql+psycopg://u@db/cw"


def test_a_bad_value_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONYMITY_FLOOR", "2")
    with pytest.raises(ValidationError) as raised:
        Settings(instance_path=tmp_path)
    assert "anonymity_floor" in str(raised.value)
    monkeypatch.setenv("ANONYMITY_FLOOR", "5")
    monkeypatch.setenv("SMTP_PORT", "not-a-port")
    with pytest.raises(ValidationError) as port:
        Settings(instance_path=tmp_path)
    assert "smtp_port" in str(port.value)


def test_smtp_counts_as_configured_only_with_a_host(tmp_path: Path) -> None:
    assert Settings(instance_path=tmp_path, smtp_host="").smtp_configured is False
    assert Settings(instance_path=tmp_path, smtp_host="mail.example.org").smtp_configured


def test_it_warns_when_the_key_that_opens_ballots_sits_beside_the_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    words = secret_key_warning(Settings(instance_path=tmp_path))

    assert words is not None
    assert str(tmp_path / SECRET_FILE) in words
    assert "Set SECRET_KEY in the environment" in words and "backups" in words


def test_it_does_not_warn_with_a_key_from_the_environment_or_a_postgresql_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert secret_key_warning(Settings(instance_path=tmp_path)) is None
    monkeypatch.delenv("SECRET_KEY")
    postgresql = Settings(instance_path=tmp_path, database_url="postgresql://u@db/cw")
    assert postgresql.secret_key_in_instance and secret_key_warning(postgresql) is None
