"""`check`: one distinct, actionable message per failure, and never the token in any output."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import requests_mock
from airbyte_cdk.models import Status
from airbyte_cdk.test.entrypoint_wrapper import _run_command
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest, HttpResponse

from source_confluence import SourceConfluence
from unit_tests.builders import API_TOKEN, CONFIG, CURRENT_USER_URL, current_user, json_response, space, spaces_request


def run_check(config, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return _run_command(SourceConfluence(), ["check", "--config", str(path)])


def status_of(output):
    [message] = output.connection_status_messages
    return message.connectionStatus


def test_check_succeeds_with_known_user(tmp_path):
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response(current_user()))
        http.get(spaces_request(), json_response({"results": [space()], "_links": {}}))
        status = status_of(run_check(CONFIG, tmp_path))
    assert status.status == Status.SUCCEEDED


@pytest.mark.parametrize(
    ("status_code", "expected"),
    [
        (401, "rejected the credentials (HTTP 401)"),
        (403, "may not use the Confluence REST API"),
        (404, "No Confluence REST API was found"),
    ],
)
def test_check_reports_each_http_failure_distinctly(tmp_path, status_code, expected):
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response({"message": "nope"}, status=status_code))
        output = run_check(CONFIG, tmp_path)
    status = status_of(output)
    assert status.status == Status.FAILED
    assert expected in status.message
    assert API_TOKEN not in "\n".join(str(m) for m in output._messages)


def test_check_rejects_anonymous_session(tmp_path):
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response(current_user(anonymous=True)))
        status = status_of(run_check(CONFIG, tmp_path))
    assert status.status == Status.FAILED
    assert "anonymous" in status.message


def test_check_recognises_sso_login_page(tmp_path):
    html = "<!DOCTYPE html><html><body><form>Log in with SSO</form></body></html>"
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), HttpResponse(html, 200, {"Content-Type": "text/html"}))
        status = status_of(run_check(CONFIG, tmp_path))
    assert status.status == Status.FAILED
    assert "HTML page instead of JSON" in status.message


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (requests.exceptions.ConnectionError("Failed to resolve: [Errno -2] Name or service not known"),
         "could not be found"),
        (requests.exceptions.ReadTimeout("read timed out"), "did not answer in time"),
        (requests.exceptions.ConnectionError("Connection refused"), "the connection failed"),
    ],
)
def test_check_reports_network_failures(tmp_path, exception, expected):
    with requests_mock.Mocker() as mocker:
        mocker.get(CURRENT_USER_URL, exc=exception)
        status = status_of(run_check(CONFIG, tmp_path))
    assert status.status == Status.FAILED
    assert expected in status.message


def test_check_names_unknown_space_keys(tmp_path):
    config = {**CONFIG, "space_keys": ["ENG", "NOPE"]}
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response(current_user()))
        http.get(spaces_request(["ENG", "NOPE"]), json_response({"results": [space()], "_links": {}}))
        status = status_of(run_check(config, tmp_path))
    assert status.status == Status.FAILED
    assert "space_keys" in status.message and "NOPE" in status.message


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({**CONFIG, "site_url": "ftp://example.com"}, "site_url"),
        ({**CONFIG, "site_url": "http://example.atlassian.net"}, "site_url"),
        ({**CONFIG, "credentials": {"auth_type": "api_token", "email": "not-an-email", "api_token": "x"}},
         "credentials.email"),
        ({**CONFIG, "credentials": {"auth_type": "api_token", "email": "a@b.c", "api_token": "  "}},
         "credentials.api_token"),
        ({**CONFIG, "start_date": "2999-01-01T00:00:00Z"}, "start_date"),
    ],
)
def test_check_rejects_bad_config_naming_the_field(tmp_path, config, field):
    status = status_of(run_check(config, tmp_path))
    assert status.status == Status.FAILED
    assert f"'{field}'" in status.message


def test_no_request_log_contains_the_token(caplog):
    caplog.set_level(logging.DEBUG)
    with HttpMocker() as http:
        http.get(HttpRequest(CURRENT_USER_URL), json_response({"message": "bad"}, status=401))
        SourceConfluence().check(logging.getLogger("airbyte"), CONFIG)
    assert API_TOKEN not in caplog.text
