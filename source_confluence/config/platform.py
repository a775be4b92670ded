"""The platform's config document, read once per command.

The CDK hands every command (check, discover, read) the object `Source.configure` returns. Ours is
a `PlatformConfig`: the document itself (writes reach it, which OAuth token rotation needs) with its
typed reading, parsed on first use. The entrypoint's validation is that first use, so check,
discover and read take the typed config it produced instead of parsing the document again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from source_confluence.config.model import ConnectorConfig
from source_confluence.config.parse import parse_config


class PlatformConfig(MutableMapping[str, Any]):
    def __init__(self, document: MutableMapping[str, Any]) -> None:
        self._document = document
        self._typed: ConnectorConfig | None = None

    @property
    def document(self) -> MutableMapping[str, Any]:
        """The platform's own object (OAuth writes the rotated refresh token into it)."""
        return self._document

    def typed(self) -> ConnectorConfig:
        """The typed config, parsed once; a ConfigError naming the field when it cannot be."""
        if self._typed is None:
            self._typed = parse_config(self._document)
        return self._typed

    def __getitem__(self, key: str) -> Any:
        return self._document[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._document[key] = value

    def __delitem__(self, key: str) -> None:
        del self._document[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._document)

    def __len__(self) -> int:
        return len(self._document)


def typed_config(config: Mapping[str, Any]) -> ConnectorConfig:
    """The typed config of a command: the one already parsed, or a parse of a plain document (a
    caller that is not the entrypoint, e.g. a test calling `SourceConfluence.read` directly)."""
    if isinstance(config, PlatformConfig):
        return config.typed()
    return parse_config(config)


def document_of(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The platform's own document behind a command's config."""
    return config.document if isinstance(config, PlatformConfig) else config
