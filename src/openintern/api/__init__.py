"""HTTP interface: the FastAPI app, routes, SSE, problem details. Nothing imports this but the CLI."""

from openintern.api.app import create_app

__all__ = ["create_app"]
