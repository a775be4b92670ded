"""The spec the Airbyte UI renders."""

from __future__ import annotations

import logging

import jsonschema

from source_confluence import SourceConfluence


def spec():
    return SourceConfluence().spec(logging.getLogger("test")).connectionSpecification


def test_spec_is_a_valid_draft7_schema_with_ordered_titled_fields():
    schema = spec()
    jsonschema.Draft7Validator.check_schema(schema)
    properties = schema["properties"]
    orders = [p["order"] for p in properties.values()]
    assert len(set(orders)) == len(orders)
    assert all(p.get("title") and p.get("description") for p in properties.values())


def test_authentication_is_a_one_of_led_by_api_token_with_secrets_marked():
    credentials = spec()["properties"]["credentials"]
    first = credentials["oneOf"][0]
    assert first["properties"]["auth_type"]["const"] == "api_token"
    assert first["properties"]["api_token"]["airbyte_secret"] is True
    assert "id.atlassian.com" in first["properties"]["api_token"]["description"]


def test_page_size_defaults_to_and_caps_at_250():
    page_size = spec()["properties"]["page_size"]
    assert page_size["default"] == 250 and page_size["maximum"] == 250


def test_sample_config_is_valid_against_the_spec():
    import json
    from pathlib import Path

    sample = json.loads((Path(__file__).parent.parent / "integration_tests" / "sample_config.json").read_text())
    jsonschema.validate(sample, spec())
