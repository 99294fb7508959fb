"""The market server: a FastAPI app over the database services, plus its web page.

Routes are thin: they check the bearer token, call one service in `benchcast.db`, and map
errors to JSON `{"detail": ...}` answers with a 4xx status.
"""

from benchcast.server.app import Settings, create_app

__all__ = ["Settings", "create_app"]
