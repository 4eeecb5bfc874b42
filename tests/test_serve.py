"""``connectwell serve`` runs the worker as its child: the worker ends with it, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtp import free_port

SRC = Path(__file__).resolve().parents[1] / "src"
# Seconds for the worker to finish its start (imports, migration check) or its job: on a
# machine at load 13 a start alone took over 10 s. The promise is that it ends.
GONE_WITHIN = 60.0


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to read its status has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def serving(database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``connectwell serve`` on a free port, answering, with its worker's process id."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "a-test-key-" + "x" * 40,
    }
    command = [sys.executable, "-m", "connectwell", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:

        def answering() -> bool:
            assert serve.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).close()
            except (urllib.error.URLError, OSError):
                return False
            return True

        assert _wait_until(answering, 90), "serve did not answer"
        [worker] = _children(serve.pid)
        assert "connectwell.worker" in Path(f"/proc/{worker}/cmdline").read_text()
        yield serve, worker
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.wait(timeout=30)
        for pid in _children(serve.pid):  # never leave one behind, whatever the test found
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_ends_when_serve_is_asked_to_stop(
    serving: tuple[subprocess.Popen[bytes], int], how: signal.Signals
) -> None:
    serve, worker = serving

    serve.send_signal(how)

    serve.wait(timeout=30)
    assert _wait_until(lambda: not _alive(worker), GONE_WITHIN), "the worker outlived serve"


def test_the_worker_ends_when_serve_is_killed_without_a_word(
    serving: tuple[subprocess.Popen[bytes], int],
) -> None:
    serve, worker = serving

    serve.send_signal(signal.SIGKILL)
    serve.wait(timeout=10)

    assert _wait_until(lambda: not _alive(worker), GONE_WITHIN), "the worker was orphaned"


def test_with_two_web_processes_serve_answers_and_stops_them_and_its_one_worker(
    database_url: str, tmp_path: Path
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "a-test-key-" + "x" * 40,
    }
    command = [sys.executable, "-m", "connectwell", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    children: list[int] = []
    try:

        def answering() -> bool:
            assert serve.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).close()
            except (urllib.error.URLError, OSError):
                return False
            return True

        assert _wait_until(answering, 120), "serve did not answer"
        children = _children(serve.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        web = [c for c in commands if b"multiprocessing" in c and b"connectwell.worker" not in c]
        assert sum(b"connectwell.worker" in c for c in commands) == 1, commands
        assert len(web) >= 2, commands  # uvicorn's two web processes (and maybe its tracker)

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)

        assert _wait_until(lambda: not any(_alive(pid) for pid in children), GONE_WITHIN)
    finally:
        if serve.poll() is None:
            serve.kill()
        serve.wait(timeout=30)
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
