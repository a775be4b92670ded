"""Airbyte source connector for Atlassian Confluence."""

__version__ = "2.0.0"

from source_confluence.startup import (  # noqa: E402
    CLASSES_A_SYNC_NEVER_USES,
    classes_imported_on_first_use,
    defer_package_init,
    serializers_without_attribute_docs,
)

defer_package_init("airbyte_cdk")  # startup.py: the CDK's package __init__ runs only if one of its names is used
# startup.py: the protocol's serializers, built without reading docs; classes a sync never uses, stood in for
with serializers_without_attribute_docs(), classes_imported_on_first_use(CLASSES_A_SYNC_NEVER_USES):
    from source_confluence.source import SourceConfluence

__all__ = ["SourceConfluence", "__version__"]
