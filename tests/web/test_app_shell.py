"""Installable on a phone (web/pages/app_shell.py): the manifest, its icons, the service
worker and the offline page."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from fastapi.testclient import TestClient

from connectwell.core.config import Settings
from tests.conftest import Cast
from tests.web.conftest import AsPerson

STATIC = Path(__file__).resolve().parents[2] / "src" / "connectwell" / "web" / "static"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first, right after the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _css_colour(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]+)", (STATIC / "app.css").read_text())
    assert match is not None
    return match.group(1).lower()


def test_the_manifest_makes_the_site_installable_from_its_start_page(
    client: TestClient, settings: Settings
) -> None:
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text)
    assert manifest["name"] == f"connectwell · {settings.organisation_name}"
    assert manifest["short_name"] == "connectwell"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == _css_colour("accent")
    assert manifest["background_color"] == _css_colour("paper")


def test_every_icon_of_the_manifest_is_a_png_of_the_size_it_states(client: TestClient) -> None:
    icons = json.loads(client.get("/manifest.webmanifest").text)["icons"]

    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.headers["content-type"] == "image/png" == icon["type"]
        width, height = _png_size(response.content)
        assert icon["sizes"] == f"{width}x{height}", icon["src"]
    stated = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= stated


def test_every_page_links_the_manifest_the_theme_colour_and_the_worker_script(
    as_person: AsPerson, cast: Cast, client: TestClient
) -> None:
    for page in (client.get("/login").text, as_person(cast.member).get("/").text):
        head = page[: page.index("</head>")]
        assert '<link rel="manifest" href="/manifest.webmanifest">' in head
        assert f'<meta name="theme-color" content="{_css_colour("accent")}">' in head
        assert '<script src="/static/register-sw.js" defer></script>' in head


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(
    client: TestClient,
) -> None:
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == (STATIC / "sw.js").read_text()
    assert client.get("/static/register-sw.js").status_code == 200


def test_the_service_worker_keeps_only_the_offline_page_and_static_files() -> None:
    """Pages hold people's data: the worker may store the offline page and /static/ only."""
    worker = (STATIC / "sw.js").read_text()
    listed = re.search(r"const PRECACHE = \[(.*?)\];", worker, re.S)
    assert listed is not None
    precached = re.findall(r'"([^"]+)"|(OFFLINE)', listed.group(1))
    paths = [path or "/offline" for path, _ in precached]
    assert paths[0] == "/offline"
    assert all(path.startswith("/static/") for path in paths[1:]), paths
    # The one other place it stores anything: responses to requests for static files.
    assert worker.count("cache.put(") == 1
    assert 'url.pathname.startsWith("/static/")' in worker


def test_every_file_the_worker_keeps_exists(client: TestClient) -> None:
    worker = (STATIC / "sw.js").read_text()
    listed = re.search(r"const PRECACHE = \[(.*?)\];", worker, re.S)
    assert listed is not None
    for path in ["/offline", *re.findall(r'"(/static/[^"]+)"', listed.group(1))]:
        assert client.get(path).status_code == 200, path


def test_the_offline_page_is_plain_words_without_anyones_data(
    as_person: AsPerson, cast: Cast
) -> None:
    response = as_person(cast.member).get("/offline")  # even when someone is signed in

    assert response.status_code == 200
    assert "<h1>You are offline</h1>" in response.text
    assert "try again" in response.text
    assert "Mia" not in response.text and "csrf" not in response.text.lower()
    assert "set-cookie" not in response.headers
