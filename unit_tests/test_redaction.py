"""The secret filter at the output boundary: every form of a credential, in every message the
entrypoint emits or raises, except the CONNECTOR_CONFIG control message meant to carry them."""

from __future__ import annotations

import base64
import json

import pytest
from airbyte_cdk.models import (
    AirbyteMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    FailureType,
    StreamDescriptor,
    SyncMode,
)
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.mock_http import HttpMocker, HttpResponse
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets, update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence import SourceConfluence
from source_confluence.entrypoint import ConfluenceEntrypoint
from source_confluence.http.secrets import (
    RedactedTrace,
    is_connector_config,
    redact,
    redacted_exception,
    register_header_secret,
    register_secret,
    secret_forms,
)
from unit_tests.builders import API_TOKEN, CONFIG, EMAIL, content_list_request, space, spaces_request

BASIC = base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()


@pytest.fixture(autouse=True)
def clean_filter():
    update_secrets([])
    yield
    update_secrets([])


def test_secret_forms_cover_the_encodings_an_output_can_carry():
    secret = 'pa"ss wörd/+1'  # noqa: S105
    forms = secret_forms(secret)
    assert secret in forms
    assert 'pa\\"ss wörd/+1' in forms and 'pa\\"ss w\\u00f6rd/+1' in forms  # JSON, UTF-8 and ASCII-only
    assert "pa%22ss%20w%C3%B6rd%2F%2B1" in forms and "pa%22ss+w%C3%B6rd%2F%2B1" in forms
    assert base64.b64encode(secret.encode()).decode().rstrip("=") in forms
    assert forms == sorted(forms, key=len, reverse=True)


def test_a_basic_header_registers_the_header_its_credential_and_the_password():
    register_header_secret(f"Basic {BASIC}")
    text = f"Authorization: Basic {BASIC} / {BASIC} / {EMAIL}:{API_TOKEN} / {json.dumps(API_TOKEN)}"
    masked = filter_secrets(text)
    assert BASIC not in masked and API_TOKEN not in masked and EMAIL in masked


def test_short_values_are_never_registered():
    register_secret("abc")
    assert filter_secrets("abc abc") == "abc abc"


def test_every_line_is_filtered_except_the_connector_config_control_message():
    register_secret(API_TOKEN)
    control = json.dumps({"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG", "emitted_at": 1,
                                                         "connectorConfig": {"config": {"token": API_TOKEN}}}},
                         separators=(",", ":"))
    assert is_connector_config(control) and redact(control) == control
    record = json.dumps({"type": "RECORD", "record": {"data": {"note": f"token {API_TOKEN}"}}})
    assert API_TOKEN not in redact(record)
    fake = '{"type":"CONTROL" and then ' + API_TOKEN  # not a control message at all
    assert API_TOKEN not in redact(fake)


def test_an_exception_leaving_the_entrypoint_is_sanitized_keeping_its_failure_type_and_stream():
    register_secret(API_TOKEN)
    original = AirbyteTracedException(internal_message=f"body: Basic {API_TOKEN}", message=f"failed {API_TOKEN}",
                                      failure_type=FailureType.transient_error,
                                      stream_descriptor=StreamDescriptor(name="pages"))
    try:
        raise original
    except AirbyteTracedException as error:
        replacement = redacted_exception(error)
    assert isinstance(replacement, RedactedTrace) and replacement.failure_type == FailureType.transient_error
    serialized = json.dumps(AirbyteMessageSerializer.dump(replacement.as_airbyte_message()))
    assert API_TOKEN not in serialized and API_TOKEN not in str(replacement)
    assert '"name": "pages"' in serialized and "****" in serialized
    plain = redacted_exception(ValueError(f"token {API_TOKEN}"))
    assert plain.failure_type == FailureType.system_error and API_TOKEN not in plain.internal_message


def test_a_gateway_error_echoing_the_authorization_header_leaves_no_trace_of_it(tmp_path):
    """With the CDK's HttpMocker: a 422 whose text body repeats the request's headers fails the
    stream through the CDK's own FAIL path; before the boundary filter the trace carried them."""
    echo = f"GET /wiki/api/v2/pages\nAuthorization: Basic {BASIC}\ncredentials {EMAIL}:{API_TOKEN}"
    with HttpMocker() as http:
        http.get(spaces_request(), HttpResponse(json.dumps({"results": [space()], "_links": {}}), 200,
                                                {"Content-Type": "application/json"}))
        http.get(content_list_request("pages", "100", descending=False), HttpResponse(echo, 422, {"Content-Type": "text/plain"}))
        catalog = CatalogBuilder().with_stream("pages", SyncMode.incremental).build()
        output = read(SourceConfluence(), CONFIG, catalog, expecting_exception=True)
    text = "\n".join(json.dumps(AirbyteMessageSerializer.dump(m)) for m in output._messages)
    assert output.errors and "HTTP 422" in text and "/wiki/api/v2/pages" in text
    assert BASIC not in text and API_TOKEN not in text


def test_the_console_entrypoint_filters_what_it_prints(tmp_path, capsys):
    config, catalog = tmp_path / "config.json", tmp_path / "catalog.json"
    config.write_text(json.dumps(CONFIG))
    catalog.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(
        CatalogBuilder().with_stream("spaces", SyncMode.full_refresh).build())))
    leaky = {"results": [{**space(), "name": f"Team {API_TOKEN}"}], "_links": {}}
    entrypoint = ConfluenceEntrypoint(SourceConfluence())
    with HttpMocker() as http:
        http.get(spaces_request(), HttpResponse(json.dumps(leaky), 200, {"Content-Type": "application/json"}))
        lines = list(entrypoint.run(entrypoint.parse_args(["read", "--config", str(config), "--catalog", str(catalog)])))
    assert any('"stream":"spaces"' in line and "Team ****" in line for line in lines)
    assert not any(API_TOKEN in line for line in lines)
