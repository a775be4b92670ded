"""Airbyte source connector for Atlassian Confluence."""

__version__ = "2.0.0"

from source_confluence.startup import shared_class_source_parses  # noqa: E402 - __version__ must exist first

with shared_class_source_parses():  # the CDK's import: one parse per source file (startup.py)
    from source_confluence.source import SourceConfluence

__all__ = ["SourceConfluence", "__version__"]
