"""The web entry point: pages (Jinja2 + htmx) and the JSON API under /api/v1."""
