"""What the app factory itself serves (web/app.py): API docs, OpenAPI, health, errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import Cast
from tests.web.conftest import AsPerson


def test_the_openapi_document_lists_people_teams_and_me(client: TestClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/teams",
                 "/api/v1/teams/{team_id}", "/api/v1/me", "/api/v1/me/pause",
                 "/api/v1/me/data", "/api/v1/roster"):  # fmt: skip
        assert path in paths, path
    assert set(paths["/api/v1/me"]) == {"get", "patch"}


def test_the_openapi_document_leaves_out_the_html_pages(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert all(path.startswith("/api/v1/") for path in paths)


def test_the_api_docs_load_only_scripts_and_styles_served_by_connectwell(
    client: TestClient,
) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', response.text)
    styles = re.findall(r'<link[^>]*\bhref="([^"]+)"', response.text)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    assert all(href.startswith("/static/") for href in styles)
    assert "<script>" not in response.text  # no inline script: the CSP forbids it
    assert "cdn" not in response.text.lower() and "https://" not in response.text
    for asset in scripts + styles:
        assert client.get(asset).status_code == 200, asset


def test_the_docs_script_points_swagger_at_the_openapi_document(client: TestClient) -> None:
    page = client.get("/api/docs").text
    init = next(src for src in re.findall(r'src="([^"]+)"', page) if "init" in src)

    assert '"/api/openapi.json"' in client.get(init).text


def test_the_health_check_says_ok(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_an_unknown_page_gets_an_html_404_and_an_unknown_api_path_a_json_404(
    as_person: AsPerson, cast: Cast
) -> None:
    client = as_person(cast.member)

    page = client.get("/no-such-page")
    api = client.get("/api/v1/no-such-thing")

    assert page.status_code == api.status_code == 404
    assert page.headers["content-type"].startswith("text/html") and "Not found" in page.text
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
    }


def test_a_wrong_method_gets_405_naming_the_allowed_ones(as_person: AsPerson, cast: Cast) -> None:
    client = as_person(cast.member)

    page = client.delete("/people")
    api = client.delete("/api/v1/people")

    assert page.status_code == api.status_code == 405
    assert page.headers["allow"] == api.headers["allow"] == "GET"
    assert page.headers["content-type"].startswith("text/html")
