"""The connector's Airbyte entrypoint: the CDK's, with config validation that names fields.

The CDK validates a config against the spec with jsonschema and reports jsonschema's message, which
neither names the field nor hides the offending value (a mistyped token would be echoed). We first
run our own parser, whose errors name the field and the fix, then the spec check with a message
built from the field path only.

The CDK also parses the config, catalog and state files itself, and a malformed one ends in a bare
stack trace. Here a config or catalog that cannot be read is a config_error saying what to do, and a
state that cannot be read (another connector's, a corrupted blob) is dropped with a warning: the
streams it covered read from the start, which repeats records but never loses any.

Everything the entrypoint emits passes the secret filter here, once (see `redaction`): the CDK
filters only some of its messages, and an error body that repeats a credential reaches the others.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import (
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
)
from airbyte_cdk.sources.utils.schema_helpers import split_config
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from source_confluence.config import ConfigError, typed_config
from source_confluence.http.secrets import redact_all, redacted_exception, register_config_secrets


def _describe(error: Any) -> str:
    expectations: dict[str, Callable[[Any], str]] = {
        "type": lambda v: f"must be of type {v if isinstance(v, str) else ' or '.join(v)}",
        "minimum": lambda v: f"must be at least {v}",
        "maximum": lambda v: f"must be at most {v}",
        "enum": lambda v: f"must be one of {', '.join(map(str, v))}",
        "const": lambda v: f"must be {v}",
        "required": lambda v: "is missing a required field",
        "pattern": lambda v: "is not in the expected format",
        "uniqueItems": lambda v: "must not repeat values",
    }
    describe = expectations.get(error.validator)
    return describe(error.validator_value) if describe else "is not valid"


def validate_config(config: Mapping[str, Any], spec: ConnectorSpecification) -> None:
    """Our parse first (its errors name the field and the fix), then the spec. The parse is the
    command's one reading of the config: check, discover and read take its result (see
    config.platform)."""
    typed_config(config)
    connector_config, _ = split_config(config)
    error = best_match(Draft7Validator(spec.connectionSpecification).iter_errors(connector_config))
    if error is not None:
        field = ".".join(str(part) for part in error.absolute_path) or "config"
        raise ConfigError(field, f"{_describe(error)}.", "Correct it in the connector settings.")


LOGGER = logging.getLogger("airbyte")
REFRESH_CATALOG = "Refresh the source schema in the connection settings and save the connection again."


def read_config_file(read: Callable[[str], Any], path: str) -> Any:
    try:
        return read(path)
    except (OSError, ValueError) as error:
        problem = "cannot be read" if isinstance(error, OSError) else "is not a JSON object"
        raise ConfigError("config", f"the config file {problem}.", "Save the connector settings again.") from None


def read_catalog_file(read: Callable[[str], ConfiguredAirbyteCatalog], path: str) -> ConfiguredAirbyteCatalog:
    try:
        catalog = read(path)
    except Exception as error:  # noqa: BLE001 - JSON, schema and enum errors alike mean "not a catalog"
        raise ConfigError("catalog", f"is not a valid configured catalog ({type(error).__name__}).",
                          REFRESH_CATALOG) from None
    if not isinstance(getattr(catalog, "streams", None), list):
        raise ConfigError("catalog", "has no list of streams.", REFRESH_CATALOG)
    return catalog


def read_state_file(read: Callable[[str], list[AirbyteStateMessage]], path: str) -> list[AirbyteStateMessage]:
    """The saved state, or the parts of it that can be read; never a crash on a foreign blob."""
    try:
        return read(path)
    except Exception as error:  # noqa: BLE001 - any parse failure falls back below, entry by entry
        reason = type(error).__name__
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        raw = None
    entries = [_state_message(entry) for entry in (raw if isinstance(raw, list) else [])]
    kept = [message for message in entries if message is not None]
    dropped = len(raw) - len(kept) if isinstance(raw, list) else None
    what = (f"{dropped} of its {len(raw)} entries are" if dropped is not None
            else "it is") + " not in the Airbyte state format"
    LOGGER.warning(f"Ignoring unreadable saved state ({reason}): {what}. Each stream it covered reads from the "
                   "start this time (records may repeat; none are lost).")
    return kept


def _state_message(entry: Any) -> AirbyteStateMessage | None:
    """One entry of a state file, or None when it is not a state message with content."""
    try:
        message = AirbyteStateMessageSerializer.load(entry)
    except Exception:  # noqa: BLE001 - serpyco raises its own validation errors
        return None
    return message if (message.stream or message.global_ or message.data) else None


class ConfluenceEntrypoint(AirbyteEntrypoint):
    def __init__(self, source: Any) -> None:
        super().__init__(source)
        # The CDK calls these on the source; wrapping them keeps its order of checks unchanged.
        read_config, read_catalog, read_state = source.read_config, source.read_catalog, source.read_state
        source.read_config = lambda path: read_config_file(read_config, path)
        source.read_catalog = lambda path: read_catalog_file(read_catalog, path)
        source.read_state = lambda path: read_state_file(read_state, path)

    def run(self, parsed_args: argparse.Namespace) -> Iterable[str]:
        """The CDK's run, every emitted line and any escaping exception passed through the filter."""
        try:
            yield from redact_all(super().run(parsed_args))
        except Exception as error:  # noqa: BLE001 - re-raised, sanitized, with its failure type
            raise redacted_exception(error) from None

    @staticmethod
    def set_up_secret_filter(config: Any, connection_specification: Mapping[str, Any]) -> None:
        AirbyteEntrypoint.set_up_secret_filter(config, connection_specification)
        if isinstance(config, Mapping):
            register_config_secrets(config, connection_specification)

    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Any) -> None:
        validate_config(config, source_spec)


def launch(source: Any, args: list[str]) -> None:
    entrypoint = ConfluenceEntrypoint(source)
    parsed = entrypoint.parse_args(args)
    # Same output discipline as the CDK's launch: one write per message, so threads never interleave.
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed):
            print(f"{message}\n", end="")
