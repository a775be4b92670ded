"""The five ways to sign in: config parsing, the spec the UI renders, the authenticators, and the
Cloud gateway flows (OAuth refresh with rotation, scoped tokens) against mocked Atlassian endpoints."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import certifi
import pytest
import requests
import requests_mock
from airbyte_cdk.models import Status
from airbyte_cdk.sources.streams.http.requests_native_auth import SingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.test.mock_http import HttpMocker, HttpRequest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from source_confluence import SourceConfluence
from source_confluence.api.cloud.gateway import cloud_id_from_resources, cloud_id_from_tenant_info
from source_confluence.config import ConfigError, parse_config
from source_confluence.http.auth import OAUTH_SCOPES, AtlassianEndpoints, build_authenticator
from source_confluence.http.tls import trust_store
from unit_tests.builders import current_user, json_response, space

SITE = "https://example.atlassian.net"
ENDPOINTS = AtlassianEndpoints(api_url="https://api.example.test", auth_url="https://auth.example.test")
CLOUD_ID = "11111111-2222-4333-8444-555555555555"
GATEWAY = f"{ENDPOINTS.api_url}/ex/confluence/{CLOUD_ID}"
OAUTH = {"site_url": SITE, "credentials": {"auth_type": "oauth2.0", "client_id": "cid", "client_secret": "csecret-9",
                                          "refresh_token": "rt-first"}}
SCOPED = {"site_url": SITE, "credentials": {"auth_type": "scoped_api_token", "email": "a@example.com",
                                           "api_token": "scoped-tok-5"}}


def spec():
    return SourceConfluence().spec(logging.getLogger("test"))


def self_signed_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Corp Root CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


# ---- config -----------------------------------------------------------------------------------------
def site_for(credentials) -> str:
    cloud = credentials["auth_type"] in ("api_token", "oauth2.0", "scoped_api_token")
    return "https://example.atlassian.net/wiki" if cloud else "https://wiki.example.com"


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({"auth_type": "api_token", "email": "a@b.co", "api_token": "t"}, {"is_cloud": True, "uses_gateway": False}),
        ({"auth_type": "oauth2.0", "client_id": "i", "client_secret": "s", "refresh_token": "r"},
         {"is_cloud": True, "uses_gateway": True}),
        ({"auth_type": "scoped_api_token", "email": "a@b.co", "api_token": "t"}, {"is_cloud": True, "uses_gateway": True}),
        ({"auth_type": "personal_access_token", "personal_access_token": "p"}, {"is_cloud": False, "uses_gateway": False}),
        ({"auth_type": "username_password", "username": "u", "password": "p"}, {"is_cloud": False, "uses_gateway": False}),
    ],
)
def test_each_method_parses_to_its_family(credentials, expected):
    parsed = parse_config({"site_url": site_for(credentials), "credentials": credentials}).credentials
    assert {"is_cloud": parsed.is_cloud, "uses_gateway": parsed.uses_gateway} == expected
    assert "'t'" not in repr(parsed) and "'p'" not in repr(parsed) and "'s'" not in repr(parsed)


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://wiki.example.com/confluence", "https://wiki.example.com/confluence"),
        ("wiki.example.com/confluence/", "https://wiki.example.com/confluence"),
        ("https://wiki.example.com/confluence/display/ENG/Runbook", "https://wiki.example.com/confluence"),
        ("https://wiki.example.com/pages/viewpage.action?pageId=12", "https://wiki.example.com"),
        ("https://wiki.example.com", "https://wiki.example.com"),
    ],
)
def test_data_center_base_url_keeps_its_context_path(site_url, expected):
    config = {"site_url": site_url, "credentials": {"auth_type": "personal_access_token", "personal_access_token": "p"}}
    assert parse_config(config).site_url == expected


@pytest.mark.parametrize(
    ("credentials", "field"),
    [
        ({"auth_type": "oauth2.0", "client_id": "i", "client_secret": "s"}, "credentials.refresh_token"),
        ({"auth_type": "personal_access_token"}, "credentials.personal_access_token"),
        ({"auth_type": "username_password", "username": "u"}, "credentials.password"),
        ({"auth_type": "personal_access_token", "personal_access_token": "p", "ca_certificate": "not a pem"},
         "credentials.ca_certificate"),
        ({"auth_type": "personal_access_token", "personal_access_token": "p", "server_time_zone": "Mars/Olympus"},
         "credentials.server_time_zone"),
        ({"auth_type": "scoped_api_token", "email": "nope", "api_token": "t"}, "credentials.email"),
    ],
)
def test_bad_credentials_name_the_field(credentials, field):
    with pytest.raises(ConfigError) as caught:
        parse_config({"site_url": "https://wiki.example.com", "credentials": credentials})
    assert caught.value.field == field


def test_data_center_over_plain_http_is_refused_except_on_this_machine():
    credentials = {"auth_type": "personal_access_token", "personal_access_token": "p"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"site_url": "http://wiki.example.com/confluence", "credentials": credentials})
    assert "unencrypted" in caught.value.message and "ca_certificate" in caught.value.message
    assert parse_config({"site_url": "http://127.0.0.1:8090/confluence", "credentials": credentials}).site_url == (
        "http://127.0.0.1:8090/confluence")


def test_a_ca_certificate_is_trusted_in_addition_to_the_public_roots():
    pem = self_signed_pem()
    credentials = {"auth_type": "personal_access_token", "personal_access_token": "p", "ca_certificate": pem}
    parsed = parse_config({"site_url": "https://wiki.example.com", "credentials": credentials}).credentials
    bundle = trust_store(parsed.ca_certificate)
    assert isinstance(bundle, str) and trust_store(parsed.ca_certificate) == bundle  # written once
    text = Path(bundle).read_text()
    assert pem.strip() in text and Path(certifi.where()).read_text().strip()[:200] in text
    assert trust_store(None) is True  # verification stays on without one


# ---- spec -------------------------------------------------------------------------------------------
def test_spec_offers_five_methods_led_by_the_cloud_api_token():
    members = spec().connectionSpecification["properties"]["credentials"]["oneOf"]
    assert [m["properties"]["auth_type"]["const"] for m in members] == [
        "api_token", "oauth2.0", "scoped_api_token", "personal_access_token", "username_password"]
    secrets = {m["properties"]["auth_type"]["const"]: sorted(k for k, v in m["properties"].items()
                                                           if v.get("airbyte_secret")) for m in members}
    assert secrets == {"api_token": ["api_token"], "oauth2.0": ["access_token", "client_id", "client_secret",
                                                                 "refresh_token"],
                       "scoped_api_token": ["api_token"], "personal_access_token": ["personal_access_token"],
                       "username_password": ["password"]}
    assert all("ca_certificate" in m["properties"] for m in members[3:])


def test_spec_carries_the_oauth_flow_for_the_airbyte_ui():
    advanced = spec().advanced_auth
    assert advanced.predicate_key == ["credentials", "auth_type"] and advanced.predicate_value == "oauth2.0"
    connector = advanced.oauth_config_specification.oauth_connector_input_specification
    assert connector.consent_url.startswith("https://auth.atlassian.com/authorize?audience=api.atlassian.com&")
    assert connector.access_token_url == "https://auth.atlassian.com/oauth/token"
    assert connector.scope.split() == list(OAUTH_SCOPES) and "offline_access" in OAUTH_SCOPES
    output = advanced.oauth_config_specification.complete_oauth_output_specification["properties"]
    assert output["refresh_token"]["path_in_connector_config"] == ["credentials", "refresh_token"]


# ---- authenticators ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("credentials", "header"),
    [
        ({"auth_type": "api_token", "email": "a@b.co", "api_token": "t1"}, "Basic " + base64.b64encode(b"a@b.co:t1").decode()),
        ({"auth_type": "scoped_api_token", "email": "a@b.co", "api_token": "t2"},
         "Basic " + base64.b64encode(b"a@b.co:t2").decode()),
        ({"auth_type": "username_password", "username": "ann", "password": "pw"},
         "Basic " + base64.b64encode(b"ann:pw").decode()),
        ({"auth_type": "personal_access_token", "personal_access_token": "pat9"}, "Bearer pat9"),
    ],
)
def test_headers_per_method(credentials, header):
    parsed = parse_config({"site_url": site_for(credentials), "credentials": credentials})
    prepared = build_authenticator(parsed.credentials)(requests.Request("GET", "https://example.com").prepare())
    assert prepared.headers["Authorization"] == header


def test_oauth_uses_the_single_use_refresh_token_authenticator_on_the_platform_config():
    config = json.loads(json.dumps(OAUTH))
    authenticator = build_authenticator(parse_config(config).credentials, config, ENDPOINTS)
    assert isinstance(authenticator, SingleUseRefreshTokenOauth2Authenticator)
    assert authenticator.get_token_refresh_endpoint() == "https://auth.example.test/oauth/token"
    assert authenticator.get_refresh_token() == "rt-first"


# ---- gateway flows ----------------------------------------------------------------------------------
def test_oauth_check_refreshes_rotates_finds_the_cloud_id_and_reads_through_the_gateway(capsys):
    config = json.loads(json.dumps(OAUTH))
    with requests_mock.Mocker() as mocker:
        token = mocker.post(ENDPOINTS.token_url, json={"access_token": "at-1", "refresh_token": "rt-second",
                                                       "expires_in": 3600, "token_type": "Bearer"})
        resources = mocker.get(f"{ENDPOINTS.api_url}/oauth/token/accessible-resources", json=[
            {"id": "other", "url": "https://other.atlassian.net", "scopes": []},
            {"id": CLOUD_ID, "url": "https://EXAMPLE.atlassian.net", "scopes": list(OAUTH_SCOPES)}])
        me = mocker.get(f"{GATEWAY}/wiki/rest/api/user/current", json=current_user())
        mocker.get(f"{GATEWAY}/wiki/api/v2/spaces", json={"results": [space()], "_links": {}})
        status = SourceConfluence(endpoints=ENDPOINTS).check(logging.getLogger("test"), config)
    assert status.status == Status.SUCCEEDED
    sent = parse_qs(token.last_request.text)
    assert sent == {"grant_type": ["refresh_token"], "client_id": ["cid"], "client_secret": ["csecret-9"],
                    "refresh_token": ["rt-first"]}
    assert resources.last_request.headers["Authorization"] == "Bearer at-1"
    assert me.last_request.headers["Authorization"] == "Bearer at-1" and token.call_count == 1
    control = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"CONTROL"' in line]
    assert control[0]["control"]["connectorConfig"]["config"]["credentials"]["refresh_token"] == "rt-second"
    assert config["credentials"]["refresh_token"] == "rt-second"  # written into the platform's config


def test_scoped_token_finds_the_cloud_id_from_tenant_info_without_credentials():
    with HttpMocker() as http:
        http.get(HttpRequest(f"{SITE}/_edge/tenant_info"), json_response({"cloudId": CLOUD_ID}))
        http.get(HttpRequest(f"{GATEWAY}/wiki/rest/api/user/current"), json_response(current_user()))
        http.get(HttpRequest(f"{GATEWAY}/wiki/api/v2/spaces?description-format=plain&limit=250"),
                 json_response({"results": [space()], "_links": {}}))
        status = SourceConfluence(endpoints=ENDPOINTS).check(logging.getLogger("test"), SCOPED)
    assert status.status == Status.SUCCEEDED


def test_tenant_info_is_asked_without_credentials():
    with requests_mock.Mocker() as mocker:
        tenant = mocker.get(f"{SITE}/_edge/tenant_info", json={"cloudId": CLOUD_ID})
        mocker.get(f"{GATEWAY}/wiki/rest/api/user/current", status_code=401, json={"message": "scope mismatch"})
        status = SourceConfluence(endpoints=ENDPOINTS).check(logging.getLogger("test"), SCOPED)
    assert "Authorization" not in tenant.last_request.headers
    assert status.status == Status.FAILED and "HTTP 401" in status.message and "scoped" in status.message
    assert "scoped-tok-5" not in status.message


def test_cloud_id_comes_from_the_configured_site_only():
    resources = [{"id": "a", "url": "https://one.atlassian.net"}, {"id": "b", "url": "https://two.atlassian.net/"}]
    assert cloud_id_from_resources(resources, "https://two.atlassian.net") == "b"
    with pytest.raises(ConfigError) as caught:
        cloud_id_from_resources(resources, "https://three.atlassian.net")
    assert "https://one.atlassian.net, https://two.atlassian.net/" in caught.value.message
    with pytest.raises(ConfigError):
        cloud_id_from_tenant_info({"error": "no such site"}, SITE)


@pytest.mark.parametrize("config", [OAUTH, SCOPED])
def test_discover_makes_no_request_and_spends_no_refresh_token(config, capsys):
    with requests_mock.Mocker() as mocker:  # any request would fail: none is mocked
        catalog = SourceConfluence(endpoints=ENDPOINTS).discover(logging.getLogger("test"), json.loads(json.dumps(config)))
        assert mocker.call_count == 0
    assert {s.name for s in catalog.streams} >= {"pages", "users"}
    assert '"CONTROL"' not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("site_url", "credentials"),
    [
        ("https://wiki.example.com/confluence", {"auth_type": "api_token", "email": "a@b.co", "api_token": "t"}),
        ("https://wiki.example.com", {"auth_type": "oauth2.0", "client_id": "i", "client_secret": "s", "refresh_token": "r"}),
        ("https://example.atlassian.net", {"auth_type": "personal_access_token", "personal_access_token": "p"}),
        ("example.atlassian.net", {"auth_type": "username_password", "username": "u", "password": "p"}),
    ],
)
def test_cloud_site_with_data_center_auth_and_the_reverse_are_config_errors(site_url, credentials):
    with pytest.raises(ConfigError) as caught:
        parse_config({"site_url": site_url, "credentials": credentials})
    assert caught.value.field == "credentials.auth_type"
    assert "choose" in caught.value.message


def test_plain_http_needs_the_data_center_opt_in():
    pat = {"auth_type": "personal_access_token", "personal_access_token": "p"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"site_url": "http://wiki.example.com", "credentials": pat})
    assert caught.value.field == "site_url" and "allow_plain_http" in caught.value.message
    opted_in = parse_config({"site_url": "http://wiki.example.com", "credentials": pat, "allow_plain_http": True})
    assert opted_in.site_url == "http://wiki.example.com" and opted_in.allow_plain_http
    cloud = {"auth_type": "api_token", "email": "a@b.co", "api_token": "t"}
    with pytest.raises(ConfigError) as caught:
        parse_config({"site_url": "https://example.atlassian.net", "credentials": cloud, "allow_plain_http": True})
    assert caught.value.field == "allow_plain_http"
