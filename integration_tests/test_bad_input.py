"""Bad input through the real entrypoint: configs, catalogs and state blobs a user or platform may send.

A bad config is a config_error that names the field and says how to fix it, from `check` (a failed
connection status), `discover` and `read` (a trace error), before any request leaves. A bad catalog
is a clear error or a documented fallback; a bad or foreign state falls back, with a warning, to a
full read of the stream it belonged to. Nothing ends in a crash trace, and no secret is echoed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteStateMessage, AirbyteStateMessageSerializer, FailureType, Status
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, _run_command, read
from airbyte_cdk.test.state_builder import StateBuilder

from integration_tests.conftest import catalog, records_by_stream
from integration_tests.reliability import (
    API_TOKEN,
    SECRETS,
    assert_complete,
    assert_failed_clearly,
    last_states,
    leak_guard,
    run,
    secret_double,
)
from source_confluence import SourceConfluence

pytestmark = pytest.mark.integration
URL_PASSWORD = "hunter2-url-password"


@pytest.fixture(autouse=True)
def guard(capfd, caplog):
    yield from leak_guard(capfd, caplog, (*SECRETS, URL_PASSWORD))


@pytest.fixture(scope="module")
def site() -> Iterator:
    with secret_double() as double:
        yield double


def with_field(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """`config` with `path` (dotted) set to `value`; the value `...` removes the field."""
    out = json.loads(json.dumps(config))
    *parents, leaf = path.split(".")
    target = out
    for key in parents:
        target = target[key]
    if value is ...:
        target.pop(leaf, None)
    else:
        target[leaf] = value
    return out


def check(guard, config: dict[str, Any], tmp_path: Path) -> EntrypointOutput:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return guard.keep(_run_command(SourceConfluence(), ["check", "--config", str(path)]))


def discover(guard, config: dict[str, Any], tmp_path: Path) -> EntrypointOutput:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return guard.keep(_run_command(SourceConfluence(), ["discover", "--config", str(path)], expecting_exception=True))


def read_with(guard, config: dict[str, Any], streams=("pages",)) -> EntrypointOutput:
    return guard.keep(read(SourceConfluence(), config, catalog(streams), expecting_exception=True))


def names_field_and_fix(message: str, field: str) -> bool:
    """"Config field 'x': <problem>. <fix>." — the field, what is wrong, and what to do."""
    prefix = f"Config field '{field}': "
    return message.startswith(prefix) and bool(re.search(r"\.\s+\S.*\S", message[len(prefix):]))


# -- every field, wrong types and empty values ------------------------------------------------------
BAD_VALUES = [
    ("site_url", ...), ("site_url", ""), ("site_url", "   "), ("site_url", 42), ("site_url", ["https://a.b"]),
    ("site_url", {"url": "x"}), ("site_url", True), ("site_url", None),
    ("credentials", ...), ("credentials", None), ("credentials", "token"), ("credentials", []), ("credentials", 7),
    ("credentials.auth_type", "kerberos"), ("credentials.auth_type", 5), ("credentials.auth_type", ""),
    ("credentials.email", ...), ("credentials.email", ""), ("credentials.email", 5), ("credentials.email", "no-at-sign"),
    ("credentials.api_token", ...), ("credentials.api_token", ""), ("credentials.api_token", "   "),
    ("credentials.api_token", 12345), ("credentials.api_token", ["x"]),
    ("start_date", 20240101), ("start_date", "last tuesday"), ("start_date", "2999-01-01T00:00:00Z"),
    ("start_date", {"date": "2024-01-01"}), ("start_date", True),
    ("space_keys", "ENG"), ("space_keys", [5]), ("space_keys", [""]), ("space_keys", ["EN G"]), ("space_keys", {}),
    ("include_archived", "yes"), ("include_archived", 1), ("include_archived", []),
    ("num_workers", "4"), ("num_workers", 0), ("num_workers", -1), ("num_workers", 21), ("num_workers", 4.5),
    ("num_workers", True),
    ("page_size", "250"), ("page_size", 0), ("page_size", 251), ("page_size", 2.5), ("page_size", False),
    ("page_tree_roots", "123"), ("page_tree_roots", ["abc"]), ("page_tree_roots", [True]), ("page_tree_roots", [{}]),
    ("labels", "how-to"), ("labels", ["two words"]), ("labels", [""]), ("labels", [None]),
    ("content_types", "pages"), ("content_types", ["wikis"]), ("content_types", []), ("content_types", [5]),
    ("include_bodies", "no"), ("include_bodies", 0),
    ("deletion_check_interval_hours", -1), ("deletion_check_interval_hours", "24"),
    ("deletion_check_interval_hours", 100000), ("deletion_check_interval_hours", 1.5),
]
# Which field a message must name: a value of the wrong shape inside credentials may be reported at
# the credentials object (the method's fields cannot be read) or at the field itself.
ACCEPTED_FIELDS = {"credentials.auth_type": ("credentials.auth_type", "credentials")}


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=[f"{f}={v!r}" for f, v in BAD_VALUES])
def test_check_and_read_name_the_field_and_the_fix(guard, site, tmp_path, field, value):
    config = with_field({**site.config(), "num_workers": 2}, field, value)
    fields = ACCEPTED_FIELDS.get(field, (field,))
    status = check(guard, config, tmp_path).connection_status_messages[0].connectionStatus
    assert status.status == Status.FAILED
    assert any(names_field_and_fix(status.message, f) for f in fields), status.message
    output = read_with(guard, config)
    assert not output.records
    message = assert_failed_clearly(output, FailureType.config_error, "Config field")
    assert any(names_field_and_fix(message, f) for f in fields), message
    assert API_TOKEN not in status.message + message


@pytest.mark.parametrize(("field", "value"), [("num_workers", "4"), ("site_url", ""), ("credentials.api_token", ...)])
def test_discover_names_the_field_too(guard, site, tmp_path, field, value):
    output = discover(guard, with_field(site.config(), field, value), tmp_path)
    message = assert_failed_clearly(output, FailureType.config_error)
    assert names_field_and_fix(message, field), message


def test_no_request_leaves_for_a_bad_config(guard, site, tmp_path):
    site.reset_requests()
    for field, value in BAD_VALUES[:20]:
        read_with(guard, with_field(site.config(), field, value))
    assert site.requests == []


# -- URLs ------------------------------------------------------------------------------------------
MALFORMED_URLS = [
    "not a url at all", "https://", "https://exa mple.com", "ftp://example.com", "javascript:alert(1)",
    "//example.com", "https://a..b", "https://example.atlassian.net:99999", "https://example.atlassian.net?x=1",
    "mailto:someone@example.com", f"https://user:{URL_PASSWORD}@example.atlassian.net",
    f"https://:{URL_PASSWORD}@", f"user:{URL_PASSWORD}@", "http://example.atlassian.net",
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_urls_are_config_errors_that_never_echo_a_password(guard, site, tmp_path, url):
    config = {**site.config(), "site_url": url}
    status = check(guard, config, tmp_path).connection_status_messages[0].connectionStatus
    assert status.status == Status.FAILED and names_field_and_fix(status.message, "site_url"), status.message
    output = read_with(guard, config)
    assert names_field_and_fix(assert_failed_clearly(output, FailureType.config_error), "site_url")
    assert URL_PASSWORD not in status.message


def test_plain_http_is_refused_for_a_remote_host_and_explains_why(guard, site, tmp_path):
    config = {**site.config(), "site_url": "http://confluence.example.com"}
    status = check(guard, config, tmp_path).connection_status_messages[0].connectionStatus
    assert "unencrypted" in status.message and "https://" in status.message


# -- values that are well formed but wrong for this site -----------------------------------------
def test_unknown_space_keys_are_named(guard, site, tmp_path):
    known = sorted(space.key for space in site.site.spaces.values())[0]
    config = {**site.config(), "space_keys": [known, "NOSUCHSPACE"]}
    status = check(guard, config, tmp_path).connection_status_messages[0].connectionStatus
    assert status.status == Status.FAILED
    assert names_field_and_fix(status.message, "space_keys") and "NOSUCHSPACE" in status.message
    assert known not in status.message.split("key")[1].split(".")[0]
    message = assert_failed_clearly(read_with(guard, config), FailureType.config_error, "NOSUCHSPACE")
    assert names_field_and_fix(message, "space_keys")


def test_a_start_date_in_the_future_is_refused_with_the_fix(guard, site, tmp_path):
    config = {**site.config(), "start_date": "2999-06-01"}
    status = check(guard, config, tmp_path).connection_status_messages[0].connectionStatus
    assert names_field_and_fix(status.message, "start_date") and "future" in status.message
    assert "in the past" in status.message or "leave it empty" in status.message


# -- catalogs --------------------------------------------------------------------------------------
def _raw_read(guard, site, tmp_path: Path, catalog_json: Any, state_json: Any = None, state_text: str | None = None):
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps({**site.config(), "page_size": 25}))
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(catalog_json if isinstance(catalog_json, str) else json.dumps(catalog_json))
    args = ["read", "--config", str(config_file), "--catalog", str(catalog_file)]
    if state_json is not None or state_text is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(state_text if state_text is not None else json.dumps(state_json))
        args += ["--state", str(state_file)]
    return guard.keep(_run_command(SourceConfluence(), args, expecting_exception=True))


def _configured(name: str, sync_mode: str) -> dict[str, Any]:
    return {"stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"]},
            "sync_mode": sync_mode, "destination_sync_mode": "append"}


def test_an_unknown_stream_in_the_catalog_is_named(guard, site, tmp_path):
    output = _raw_read(guard, site, tmp_path, {"streams": [_configured("pages", "full_refresh"),
                                                           _configured("wiki_pages", "full_refresh")]})
    message = assert_failed_clearly(output, FailureType.config_error, "wiki_pages")
    assert "Refresh the source schema" in message and not output.records


def test_incremental_on_a_stream_without_cursor_falls_back_to_full_refresh(guard, site, tmp_path):
    output = _raw_read(guard, site, tmp_path, {"streams": [_configured("spaces", "incremental")]})
    assert not output.errors
    assert set(records_by_stream(output)["spaces"]) == set(site.site.spaces)
    assert output.is_in_logs("Stream 'spaces' has no cursor: reading it in full refresh")


@pytest.mark.parametrize("bad", [
    {"streams": [_configured("pages", "sideways")]},
    {"streams": "pages"},
    {"not_streams": []},
    [1, 2, 3],
    "{this is not json",
])
def test_a_malformed_catalog_is_a_clear_config_error(guard, site, tmp_path, bad):
    output = _raw_read(guard, site, tmp_path, bad)
    message = assert_failed_clearly(output, FailureType.config_error, "catalog")
    assert "Refresh the source schema" in message
    assert not output.records


def test_an_empty_catalog_reads_nothing_and_succeeds(guard, site, tmp_path):
    output = _raw_read(guard, site, tmp_path, {"streams": []})
    assert not output.errors and not output.records


# -- state -----------------------------------------------------------------------------------------
def _stream_state(stream: str, blob: Any) -> list[AirbyteStateMessage]:
    return StateBuilder().with_stream_state(stream, blob).build()


FOREIGN_STATES = {
    "another connector's cursor": {"updated_at": "2024-01-01T00:00:00Z"},
    "legacy date cursor": {"lastModified": 1700000000},
    "states is not a list": {"states": "all of them"},
    "entry without partition": {"states": [{"cursor": {"updated_at": "2024-01-01T00:00:00.000Z"}}]},
    "cursor of the wrong type": {"states": [{"partition": {"space_id": "1"}, "cursor": ["x"]}]},
    "resume link to another host": None,  # filled in with a real space id below
    "resume link that is a full URL": None,
    "garbage timestamps": {"states": [{"partition": {"space_id": "1"},
                                        "cursor": {"updated_at": "yesterday", "ids_at_cursor": "7"}}]},
}


@pytest.mark.parametrize("name", list(FOREIGN_STATES))
def test_a_foreign_or_corrupt_stream_state_falls_back_to_a_full_read(guard, site, name):
    space_id = sorted(site.site.spaces)[0]
    blob = FOREIGN_STATES[name]
    if name == "resume link to another host":
        blob = {"states": [{"partition": {"space_id": space_id},
                            "cursor": {"updated_at": None, "ids_at_cursor": [], "complete": False,
                                       "resume": {"order": "asc", "next": "//thief.example.com/wiki/api/v2/pages"}}}]}
    elif name == "resume link that is a full URL":
        blob = {"states": [{"partition": {"space_id": space_id},
                            "cursor": {"updated_at": None, "ids_at_cursor": [], "complete": False,
                                       "resume": {"order": "asc", "next": "https://thief.example.com/wiki/api/v2/pages"}}}]}
    output = run(guard, site, ["pages"], _stream_state("pages", blob))
    assert_complete(output, site, ["pages"])
    assert output.is_in_logs("Ignoring part of the saved state of stream 'pages'")


@pytest.mark.parametrize(("name", "text"), [
    ("not JSON", "{not json"),
    ("an object, not a list of state messages", json.dumps({"pages": {"updated_at": "2024-01-01"}})),
    ("a string", json.dumps("state")),
    ("a list of numbers", json.dumps([1, 2])),
    ("a message of an unknown type", json.dumps([{"type": "SIDEWAYS", "stream": {}}])),
    ("a message without content", json.dumps([{"type": "STREAM"}])),
])
def test_a_malformed_state_file_falls_back_to_a_full_read_with_a_warning(guard, site, tmp_path, name, text):
    output = _raw_read(guard, site, tmp_path, {"streams": [_configured("pages", "incremental")]}, state_text=text)
    assert not output.errors, [e.trace.error.message for e in output.errors]
    assert set(records_by_stream(output)["pages"]) == {p.id for p in site.site.pages.values() if p.status != "archived"}
    assert output.is_in_logs("state")
    assert output.is_in_logs("reads from the start")


def test_a_valid_state_next_to_a_broken_one_is_still_used(guard, site, tmp_path):
    first = run(guard, site, ["pages", "blog_posts"])
    good = [AirbyteStateMessageSerializer.dump(state) for state in last_states(first.state_messages)
            if state.stream.stream_descriptor.name == "blog_posts"]
    text = json.dumps([*good, {"type": "STREAM", "stream": "broken"}])
    catalog_json = {"streams": [_configured("pages", "incremental"), _configured("blog_posts", "incremental")]}
    output = _raw_read(guard, site, tmp_path, catalog_json, state_text=text)
    assert not output.errors
    records = records_by_stream(output)
    assert not records.get("blog_posts"), "the valid blog_posts state was dropped"
    assert records["pages"]

