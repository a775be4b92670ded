"""Airbyte source connector for Atlassian Confluence."""

__version__ = "2.0.0"

from source_confluence.source import SourceConfluence  # noqa: E402 - __version__ must exist first

__all__ = ["SourceConfluence", "__version__"]
