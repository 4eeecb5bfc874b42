"""requirements/dev.lock: what `make run`, `make test` and CI install, exactly and checked."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "dev.lock"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)


def locked() -> dict[str, tuple[Version, list[str]]]:
    """``{name: (version, hashes)}`` of the pins that apply to this Python."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    current: str | None = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found:
            marker = found["marker"]
            if marker and not Marker(marker).evaluate():
                current = None
                continue
            current = canonicalize_name(found["name"])
            assert current not in pins, f"{current} pinned twice for this Python"
            pins[current] = (Version(found["version"]), [])
        elif current and line.strip().startswith("--hash="):
            pins[current][1].append(line.strip().removeprefix("--hash=").rstrip(" \\"))
    return pins


def declared() -> list[Requirement]:
    """Every requirement of pyproject.toml: the build backend, runtime and dev dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [
        *project["build-system"]["requires"],
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
    ]
    return [Requirement(text) for text in texts]


def test_it_pins_every_dependency_of_pyproject_to_a_version_it_allows() -> None:
    pins = locked()
    environment = {**default_environment(), "extra": "dev"}
    for requirement in declared():
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in the lock: run `make lock`"
        pinned, _ = pins[name]
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"{name}=={pinned} in the lock, {requirement.specifier} in pyproject.toml: "
            "run `make lock`"
        )


def test_it_gives_every_pin_a_sha256_hash() -> None:
    pins = locked()
    assert len(pins) > 50
    for name, (_, hashes) in pins.items():
        assert hashes, f"{name} has no hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", one) for one in hashes), name


@pytest.mark.parametrize("name", ["fastapi", "sqlalchemy", "numpy", "pytest"])
def test_it_is_what_the_tests_run_on(name: str) -> None:
    try:
        installed = Version(version(name))
    except PackageNotFoundError:
        pytest.skip(f"{name} is not installed here")
    assert installed == locked()[name][0]
