"""Confluence Cloud's REST API (v2 plus v1 user/current) over the site model, one module per endpoint
family the way the connector is split; ``routes.CloudRoutes`` is the entry point."""

from .routes import CloudRoutes
from .wire import ApiError, Response, error_body

__all__ = ["ApiError", "CloudRoutes", "Response", "error_body"]
