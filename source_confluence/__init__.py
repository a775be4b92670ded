"""Airbyte source connector for Atlassian Confluence."""

__version__ = "2.0.0"

from source_confluence.startup import defer_package_init, serializers_without_attribute_docs  # noqa: E402

defer_package_init("airbyte_cdk")  # startup.py: the CDK's package __init__ runs only if one of its names is used
with serializers_without_attribute_docs():  # startup.py: the protocol's serializers, built without reading docs
    from source_confluence.source import SourceConfluence

__all__ = ["SourceConfluence", "__version__"]
