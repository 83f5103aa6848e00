"""`muster serve`: the HTTP API."""

from __future__ import annotations

import typer

from muster.cli import common
from muster.config import Settings


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the HTTP API (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""
    run_server(common.settings(), host, port)


def run_server(s: Settings, host: str, port: int) -> None:
    """Serve the API for these settings until interrupted."""
    import uvicorn

    from muster.api.app import create_app

    app = create_app(s)
    common.say(
        f"serving {s.database_url} on http://{host}:{port}/api/v1 "
        f"(docs: http://{host}:{port}/api/v1/docs)"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
