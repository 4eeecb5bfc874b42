"""What makes connectwell installable on a phone: the web app manifest, the service worker
and the page it shows when the network is gone.

The service worker (``static/sw.js``) is served from the site root so that it may look after
every page; it caches only the offline page and static files, never a page with anyone's data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from connectwell.web.templating import APP_COLOURS, templates

router = APIRouter()
STATIC = Path(__file__).resolve().parent.parent / "static"
ICONS: tuple[tuple[str, int, str], ...] = (
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("maskable-512.png", 512, "maskable"),
)


def manifest(organisation: str) -> dict[str, Any]:
    """The web app manifest: names, the start page, colours from app.css and the icons."""
    return {
        "name": f"connectwell · {organisation}",
        "short_name": "connectwell",
        "description": "High-quality connections at work.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": APP_COLOURS["accent"],
        "background_color": APP_COLOURS["paper"],
        "icons": [
            {
                "src": f"/static/icons/{name}",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, size, purpose in ICONS
        ],
    }


@router.get("/manifest.webmanifest")
def web_app_manifest(request: Request) -> Response:
    body = json.dumps(manifest(request.app.state.settings.organisation_name), indent=2)
    return Response(
        body,
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """From the root, so that its scope is the whole site; never cached by the browser's HTTP
    cache, so that a new release's worker is picked up on the next visit."""
    return Response(
        (STATIC / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/offline")
def offline(request: Request) -> HTMLResponse:
    """A static page (no viewer, no CSRF token): the service worker keeps a copy of it."""
    return templates.TemplateResponse(request, "offline.html", {})
