"""Security over real HTTP: credentials stay on the configured site, TLS is verified, and no secret
reaches a log line, trace, exception or record, whichever authentication method and failure.

A second local server plays a thief on another host: it records every request it receives, so a
refused link or redirect is proven by that server's empty log, not only by the connector's message.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, FailureType, Status
from airbyte_cdk.test.entrypoint_wrapper import _run_command, read
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.auth import HTTPBasicAuth

from confluence_double import DataCenterDouble, DataCenterSettings, SiteSpec
from integration_tests.conftest import catalog, records_by_stream
from integration_tests.reliability import (
    SECRETS,
    LeakGuard,
    assert_complete,
    assert_failed_clearly,
    fast_retries,  # noqa: F401 - fixture
    leak_guard,
    run,
    secret_double,
)
from source_confluence import SourceConfluence
from source_confluence.http.auth import AtlassianEndpoints
from source_confluence.http.transport import Transport

pytestmark = pytest.mark.integration
PAGES = "/wiki/api/v2/pages"
CONSOLE_SCRIPT = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "source-confluence"
TINY = SiteSpec(spaces=2, pages=60, blog_posts=10, footer_comments=30, inline_comments=10, tasks=20,
                attachments=10, labels=6, users=6, seed=5, body_bytes=400)


@pytest.fixture(autouse=True)
def guard(capfd, caplog):
    yield from leak_guard(capfd, caplog)


@pytest.fixture
def site() -> Iterator:
    with secret_double() as double:
        yield double


class Thief:
    """A server on another host (or port) that records whatever reaches it."""

    def __init__(self, host: str, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        thief = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                thief.requests.append(("GET", self.path, dict(self.headers)))
                body = b'{"results": [], "_links": {}, "accountId": "x", "type": "known"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer((host, 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def __enter__(self) -> Thief:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def other_host() -> str:
    """Another loopback address when the system routes the whole 127/8 to lo (Linux does)."""
    try:
        with ThreadingHTTPServer(("127.0.0.2", 0), BaseHTTPRequestHandler):
            return "127.0.0.2"
    except OSError:
        return "127.0.0.1"  # same host, other port: still another origin to the connector


# -- requests stay on the configured site ------------------------------------------------------------

@pytest.mark.parametrize("where", ["other host", "same host, other port"])
def test_a_next_link_to_another_host_is_refused_and_nothing_reaches_it(guard, site, where):
    with Thief(other_host() if where == "other host" else "127.0.0.1") as thief:
        site.faults.add(kind="foreign_next", location=thief.url, path_prefix=PAGES, count=None)
        output = run(guard, site, ["pages"], expect_failure=True)
    assert_failed_clearly(output, FailureType.system_error, "another host")
    assert thief.requests == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_refused_and_nothing_reaches_it(guard, site, status):
    with Thief(other_host()) as thief:
        site.faults.add(status=status, count=None, path_prefix=PAGES, headers={"Location": f"{thief.url}{PAGES}"})
        site.faults.add(status=307, count=None, path_prefix="/wiki/api/v2/users-bulk",
                        headers={"Location": f"{thief.url}/wiki/api/v2/users-bulk"})
        output = run(guard, site, ["pages", "blog_posts", "users"], expect_failure=True)
    message = assert_failed_clearly(output, FailureType.config_error, "redirected", "site_url")
    assert thief.url.split("//")[1].split(":")[0] in message
    assert thief.requests == []


def test_a_redirect_within_the_site_is_followed(guard, site):
    # A proxy that canonicalises URLs answers with a redirect to the same site: that is safe to follow.
    site.faults.add(status=302, count=1, path_prefix="/wiki/api/v2/spaces",
                    headers={"Location": "/wiki/api/v2/spaces?description-format=plain&limit=25"})
    output = run(guard, site, ["spaces", "pages"])
    assert_complete(output, site, ["spaces", "pages"])
    assert [r.status for r in site.requests if r.path == "/wiki/api/v2/spaces"] == [302, 200]


def test_same_site_redirect_returns_the_target_page(guard, site):
    space = sorted(site.site.spaces)[0]
    target = f"{PAGES}?space-id={space}&limit=5"
    site.faults.add(status=302, count=1, path_prefix="/wiki/api/v2/moved", headers={"Location": target})
    transport = Transport(site.url, HTTPBasicAuth(site.email, site.api_token), logging.getLogger("test"))
    body, response = transport.get("/wiki/api/v2/moved")
    assert [r.path for r in site.requests] == ["/wiki/api/v2/moved", PAGES]
    assert len(body["results"]) == 5 and response.status_code == 200


def test_plain_http_is_refused_except_on_loopback_or_by_explicit_opt_in():
    auth = HTTPBasicAuth("someone@example.com", "not-used")
    logger = logging.getLogger("test")
    with pytest.raises(AirbyteTracedException) as refused:
        Transport("http://confluence.example.com", auth, logger)
    assert refused.value.failure_type == FailureType.config_error and "unencrypted" in refused.value.message
    assert Transport("http://127.0.0.1:8090", auth, logger).absolute_url("/x") == "http://127.0.0.1:8090/x"
    assert Transport("http://[::1]:8090", auth, logger).absolute_url("/x") == "http://[::1]:8090/x"
    opted_in = Transport("http://confluence.intranet.example:8090", auth, logger, allow_plain_http=True)
    assert opted_in.absolute_url("/wiki") == "http://confluence.intranet.example:8090/wiki"
    # Pinned to the scheme too: an https site never follows a link down to http on the same host.
    with pytest.raises(AirbyteTracedException):
        Transport("https://example.atlassian.net", auth, logger).absolute_url("http://example.atlassian.net/wiki")


# -- TLS -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[ssl.SSLContext, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_tls_is_verified_by_default(guard, self_signed, tmp_path):
    context, _ = self_signed
    with Thief("127.0.0.1", tls=context) as server:
        config = {"site_url": server.url,
                  "credentials": {"auth_type": "api_token", "email": "someone@example.com", "api_token": SECRETS[0]}}
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        status = guard.keep(_run_command(SourceConfluence(), ["check", "--config", str(path)]))
        output = guard.keep(read(SourceConfluence(), config, catalog(["pages"]), expecting_exception=True))
    [message] = status.connection_status_messages
    assert message.connectionStatus.status == Status.FAILED
    assert "TLS verification failed" in message.connectionStatus.message
    assert_failed_clearly(output, FailureType.config_error, "TLS verification failed", "site_url")
    assert server.requests == []  # the handshake failed before any request, credentials included


def test_a_trusted_ca_bundle_makes_the_same_server_work(self_signed):
    context, cert_file = self_signed
    with Thief("127.0.0.1", tls=context) as server:
        transport = Transport(server.url, HTTPBasicAuth("someone@example.com", "x"), logging.getLogger("test"),
                              verify=str(cert_file))
        body, _ = transport.get("/wiki/rest/api/user/current")
    assert body["accountId"] == "x" and server.requests[0][2].get("Authorization", "").startswith("Basic ")


# -- secrets in output -----------------------------------------------------------------------------

def test_debug_output_of_the_console_script_masks_the_auth_header(guard, site, tmp_path):
    """`--debug` prints every request's headers: the production output must show them masked."""
    site.faults.add(status=503, count=1, path_prefix=PAGES, query={"cursor": None})
    site.faults.add(status=401, count=None, path_prefix="/wiki/api/v2/blogposts")
    config_file, catalog_file = tmp_path / "config.json", tmp_path / "catalog.json"
    config_file.write_text(json.dumps({**site.config(), "page_size": 25}))
    catalog_file.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog(["pages", "blog_posts"]))))
    done = subprocess.run([str(CONSOLE_SCRIPT), "read", "--debug", "--config", str(config_file),
                           "--catalog", str(catalog_file)], capture_output=True, text=True, timeout=120)
    guard.add(done.stdout, done.stderr)
    assert "Authorization" in done.stdout and "****" in done.stdout
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    pages = {m["record"]["data"]["id"] for m in messages if m["type"] == "RECORD" and m["record"]["stream"] == "pages"}
    assert pages == {p.id for p in site.site.pages.values() if p.status != "archived"}
    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert any(e["failure_type"] == "config_error" and "HTTP 401" in e["message"] for e in errors)
    assert done.returncode != 0


def test_the_basic_auth_form_is_registered_before_the_first_request(guard):
    # Built, not yet used: the CDK's filter already masks the base64 email:token.
    from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

    token = "fresh-token-for-this-test-only"  # noqa: S105
    Transport("https://example.atlassian.net", HTTPBasicAuth("a@example.com", token), logging.getLogger("test"))
    encoded = base64.b64encode(f"a@example.com:{token}".encode()).decode()
    masked = filter_secrets(f"Authorization: Basic {encoded}")
    assert encoded not in masked and "****" in masked


DC_PASSWORD = "dc-password-Quartz-9481-never-log"  # noqa: S105
DC_TOKEN = "dc-pat-NjM2ODcx-never-log"  # noqa: S105


@pytest.mark.parametrize("method", ["username_password", "personal_access_token"])
def test_data_center_credentials_never_reach_the_output(capfd, caplog, fast_retries, method):  # noqa: F811
    settings = DataCenterSettings(password=DC_PASSWORD, personal_access_token=DC_TOKEN)
    with DataCenterDouble(TINY, settings=settings) as server:
        config = server.basic_config() if method == "username_password" else server.config()
        dc_guard = LeakGuard([DC_PASSWORD, DC_TOKEN,
                              base64.b64encode(f"{server.username}:{DC_PASSWORD}".encode()).decode()])
        clean = dc_guard.keep(read(SourceConfluence(), config, catalog(["spaces", "pages"]), debug=True))
        assert not clean.errors and records_by_stream(clean)["pages"]
        server.faults.add(status=500, count=1, path_prefix="/confluence/rest/api/")
        server.faults.add(status=401, count=None, query={"start": None})
        failed = dc_guard.keep(read(SourceConfluence(), {**config, "page_size": 10}, catalog(["pages"]),
                                    expecting_exception=True, debug=True))
        assert failed.errors
    check_everything(dc_guard, capfd, caplog)


def test_oauth_secrets_stay_in_the_config_handed_back_to_the_platform(capfd, caplog):
    with secret_double(TINY) as server:
        oauth = server.oauth
        config = oauth.config(server.url)
        source = SourceConfluence(endpoints=AtlassianEndpoints(api_url=server.url, auth_url=server.url))
        secrets = [oauth.client_secret, config["credentials"]["refresh_token"]]
        output = read(source, config, catalog(["spaces", "pages"]), debug=True)
        assert not output.errors and records_by_stream(output)["pages"]
    out, err = capfd.readouterr()
    # The CDK prints the rotated tokens in a CONNECTOR_CONFIG control message for the platform to
    # store; that message is the only place they may appear.
    control = [json.loads(line) for line in out.splitlines() if line.startswith('{"type":"CONTROL"')]
    assert control
    credentials = control[-1]["control"]["connectorConfig"]["config"]["credentials"]
    secrets += [credentials["refresh_token"], credentials["access_token"]]
    oauth_guard = LeakGuard(secrets)
    oauth_guard.add("\n".join(line for line in out.splitlines() if not line.startswith('{"type":"CONTROL"')), err)
    oauth_guard.texts.extend(json.dumps(m.record.data) for m in output.records)
    oauth_guard.texts.extend(m.log.message for m in output.logs)
    for record in caplog.records:
        oauth_guard.add(record.getMessage())
    oauth_guard.assert_clean()


def check_everything(guard: LeakGuard, capfd, caplog, skip_control: bool = False) -> None:
    """Adds stdout, stderr and the raw log records to `guard` and searches it all."""
    out, err = capfd.readouterr()
    lines = [line for line in out.splitlines() if not (skip_control and line.startswith('{"type":"CONTROL"'))]
    guard.add("\n".join(lines), err)
    for record in caplog.records:
        guard.add(record.getMessage())
    guard.assert_clean()


def test_secret_free_output_is_what_the_guard_sees(guard, site):
    # The guard itself must catch a leak: feed it one and expect the failure.
    probe = LeakGuard()
    probe.add(f"Authorization: Basic {SECRETS[1]}")
    with pytest.raises(AssertionError, match="leaked"):
        probe.assert_clean()
    output = run(guard, site, ["spaces"])
    assert_complete(output, site, ["spaces"])
    assert requests.utils.quote(SECRETS[0]) not in json.dumps([m.record.data for m in output.records])
