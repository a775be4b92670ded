"""The connector's Airbyte entrypoint: the CDK's, with config validation that names fields.

The CDK validates a config against the spec with jsonschema and reports jsonschema's message, which
neither names the field nor hides the offending value (a mistyped token would be echoed). We first
run our own parser, whose errors name the field and the fix, then the spec check with a message
built from the field path only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import ConnectorSpecification
from airbyte_cdk.sources.utils.schema_helpers import split_config
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from source_confluence.config import ConfigError, parse_config


def _describe(error: Any) -> str:
    expectations = {
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
    parse_config(config)
    error = best_match(Draft7Validator(spec.connectionSpecification).iter_errors(config))
    if error is not None:
        field = ".".join(str(part) for part in error.absolute_path) or "config"
        raise ConfigError(field, f"{_describe(error)}.", "Correct it in the connector settings.")


class ConfluenceEntrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Any) -> None:
        connector_config, _ = split_config(config)
        validate_config(connector_config, source_spec)


def launch(source: Any, args: list[str]) -> None:
    entrypoint = ConfluenceEntrypoint(source)
    parsed = entrypoint.parse_args(args)
    # Same output discipline as the CDK's launch: one write per message, so threads never interleave.
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed):
            print(f"{message}\n", end="")
