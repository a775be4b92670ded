"""No credential in any output, even when Confluence's answer repeats it.

An `EchoGateway` in front of the double plays an SSO proxy or API gateway that answers chosen
requests with an error (4xx, 5xx after every retry, a 200 HTML page) whose body repeats the request:
its Authorization header in a JSON message, in a JSON dump of the headers, in plain text, in HTML,
the decoded basic credentials, and the OAuth token request's form. Every credential form is tried
(Cloud basic email:token, Data Center bearer token and username:password, OAuth access token,
refresh token and client secret) through `check`, `discover` and `read`. The whole output (every
message, serialized as the platform receives it, the formatted log lines, stdout and stderr) is
searched for every credential the gateway saw and its base64 forms; the only exception is the
CONNECTOR_CONFIG control message, whose purpose is to hand rotated OAuth tokens to the platform.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import AirbyteMessageSerializer, Status
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover, read
from airbyte_cdk.test.entrypoint_wrapper import _run_command as run_command

from confluence_double import ConfluenceDouble, DataCenterDouble, DataCenterSettings, SiteSpec
from integration_tests.conftest import catalog
from integration_tests.echo_gateway import STYLES, EchoGateway, echo_body
from integration_tests.reliability import fast_retries  # noqa: F401 - fixture
from source_confluence import SourceConfluence
from source_confluence.http.auth import AtlassianEndpoints

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fast_retries", "instant_cdk_sleeps")]
SITE = SiteSpec(spaces=2, pages=40, blog_posts=6, footer_comments=10, inline_comments=4, tasks=6,
                attachments=4, labels=4, users=4, seed=3, body_bytes=300)
API_TOKEN = "ATATT3x-echo-Zq81-never-print-me"  # noqa: S105
DC = DataCenterSettings(personal_access_token="dc-pat-echo-Mz81x-never-log",  # noqa: S106
                        password="dc-password-echo-Vq27-never-log")  # noqa: S106
CONTROL_PREFIX = '{"type":"CONTROL"'


@pytest.fixture
def instant_cdk_sleeps(monkeypatch) -> None:
    """Server errors are retried until the budget is spent: the CDK's sleeps between them are skipped."""
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: None))


@dataclass
class Setup:
    """One authentication method behind the gateway: where its requests go and what is secret."""

    method: str
    gateway: EchoGateway
    config: dict[str, Any]
    source: SourceConfluence
    api_prefix: str
    """Path prefix of the site's REST API as the gateway sees it."""
    secrets: set[str] = field(default_factory=set)

    @property
    def current_user(self) -> str:
        return self.api_prefix + ("/rest/api/user/current" if self.method.startswith("dc_") else "/wiki/rest/api/user/current")

    @property
    def spaces(self) -> str:
        return self.api_prefix + ("/rest/api/space" if self.method.startswith("dc_") else "/wiki/api/v2/spaces")

    @property
    def pages(self) -> str:
        return self.api_prefix + ("/rest/api/content" if self.method.startswith("dc_") else "/wiki/api/v2/pages")

    def all_secrets(self) -> set[str]:
        return self.secrets | self.gateway.credentials


@pytest.fixture(params=["cloud_basic", "dc_bearer", "dc_basic", "oauth"])
def setup(request) -> Iterator[Setup]:
    method = request.param
    if method.startswith("dc_"):
        double: ConfluenceDouble = DataCenterDouble(SITE, settings=DC)
    else:
        double = ConfluenceDouble(SITE, email="echo-bot@example.com", api_token=API_TOKEN)
    with double, EchoGateway(double.url) as gateway:
        if method == "cloud_basic":
            config = {**double.config(), "site_url": gateway.url}
            yield Setup(method, gateway, config, SourceConfluence(), "", {API_TOKEN})
        elif method.startswith("dc_"):
            config = double.config() if method == "dc_bearer" else double.basic_config()
            config["site_url"] = config["site_url"].replace(double.url, gateway.url)
            yield Setup(method, gateway, config, SourceConfluence(), "/confluence",
                        {DC.personal_access_token, DC.password})
        else:
            oauth = double.oauth
            endpoints = AtlassianEndpoints(api_url=gateway.url, auth_url=gateway.url)
            yield Setup(method, gateway, oauth.config(double.url), SourceConfluence(endpoints=endpoints),
                        f"/ex/confluence/{oauth.cloud_id}", {oauth.client_secret, oauth.refresh_token})


def forms(secrets: Iterable[str]) -> set[str]:
    """Each secret, and its base64 encodings (padding stripped: a prefix of the padded form)."""
    out = set()
    for secret in secrets:
        raw = secret.encode()
        out |= {secret, base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return {value for value in out if len(value) >= 4}


def output_text(outputs: Iterable[EntrypointOutput], captured, caplog) -> list[str]:
    """Everything the runs emitted, as the platform would receive it (`captured`: capfd's)."""
    texts = [json.dumps(AirbyteMessageSerializer.dump(m)) for output in outputs for m in (output._messages or [])]
    control = [line for line in captured.out.splitlines() if line.startswith(CONTROL_PREFIX)]
    assert all(json.loads(line)["control"]["type"] == "CONNECTOR_CONFIG" for line in control)
    texts += [line for line in captured.out.splitlines() if not line.startswith(CONTROL_PREFIX)] + [captured.err]
    formatter = AirbyteLogFormatter()
    texts += [formatter.format(record) for record in caplog.records]
    return texts


def assert_no_secret(setup: Setup, texts: list[str]) -> None:
    secrets = forms(setup.all_secrets())
    assert setup.gateway.credentials, "the gateway saw no credential: the test did not exercise anything"
    if setup.method == "oauth":  # the tokens issued during the run are searched for too
        assert any(value.startswith("at-") for value in setup.gateway.credentials)
    leaks = sorted({secret for secret in secrets for text in texts if secret in text})
    assert leaks == [], f"{len(leaks)} secret form(s) leaked, e.g. ...{_around(texts, leaks[0])}..."


def _around(texts: list[str], secret: str) -> str:
    text = next(t for t in texts if secret in t)
    at = text.index(secret)
    return text[max(at - 120, 0):at] + "<SECRET>"


def reports(output: EntrypointOutput, caplog) -> list[str]:
    """What the run told the user about problems: trace errors, and warning or error log lines
    (from the log records too: how they reach the output depends on the `airbyte` logger's setup)."""
    errors = [f"{m.trace.error.message} | {m.trace.error.internal_message}" for m in output.errors]
    logs = [m.log.message for m in output.logs if m.log.level.value in ("WARN", "ERROR", "FATAL")]
    return errors + logs + [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# (status, echo style): a 4xx the caller handles, a 4xx the error handler fails, server errors
# retried until the budget is spent, a 200 HTML page and a 401 that asks to reconnect.
READ_FAULTS = [(404, "json_message"), (422, "text"), (409, "json_headers"), (503, "json_headers"),
               (500, "text"), (200, "html"), (401, "json_message"), (400, "html")]


@pytest.mark.parametrize(("status", "style"), READ_FAULTS)
def test_read_outputs_no_secret_when_an_error_echoes_the_credentials(setup, capfd, caplog, status, style):
    caplog.set_level(logging.DEBUG)
    setup.gateway.add(status, style, path_prefix=setup.pages)
    output = read(setup.source, setup.config, catalog(["spaces", "pages"]), expecting_exception=True, debug=True)
    captured = capfd.readouterr()
    told = reports(output, caplog)
    # Still useful: the status (or, for a 200, what came back) and the endpoint or stream are named.
    wanted = "HTML page" if status == 200 else f"HTTP {status}"
    assert any(wanted in message and ("pages" in message or "/content" in message) for message in told), told
    assert_no_secret(setup, output_text([output], captured, caplog))


@pytest.mark.parametrize(("status", "style"), [(500, "json_message"), (422, "text"), (200, "html"), (403, "json_headers")])
def test_check_outputs_no_secret_when_an_error_echoes_the_credentials(setup, capfd, caplog, tmp_path, status, style):
    caplog.set_level(logging.DEBUG)
    setup.gateway.add(status, style, path_prefix=setup.current_user)
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(setup.config))
    output = run_command(setup.source, ["check", "--config", str(config_file), "--debug"], expecting_exception=True)
    statuses = [m.connectionStatus for m in output.connection_status_messages]
    assert statuses and all(s.status == Status.FAILED for s in statuses)
    captured = capfd.readouterr()
    told = [s.message for s in statuses] + reports(output, caplog)
    assert any(f"HTTP {status}" in message or "HTML page" in message for message in told), told
    assert_no_secret(setup, output_text([output], captured, caplog))


def test_discover_outputs_no_secret_when_the_site_echoes_the_credentials(setup, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    setup.gateway.add(500, "json_message", path_prefix=setup.spaces)
    output = discover(setup.source, setup.config, expecting_exception=True)
    assert output.catalog.catalog.streams
    # Discover is offline (the catalog is static); a read of the same config meets the echo.
    probe = read(setup.source, setup.config, catalog(["spaces"]), expecting_exception=True, debug=True)
    captured = capfd.readouterr()
    assert any("HTTP 500" in message for message in reports(probe, caplog))
    assert_no_secret(setup, output_text([output, probe], captured, caplog))


@pytest.mark.parametrize(("status", "style", "count"), [(400, "json_message", None), (401, "json_headers", None),
                                                         (500, "text", 2)])
def test_a_token_endpoint_that_echoes_the_refresh_request_leaks_nothing(capfd, caplog, status, style, count):
    """The OAuth token request carries the client secret and the refresh token in its form. A 4xx
    ends the sync; a 5xx is retried by the CDK's authenticator (5 minutes at most), so it passes."""
    caplog.set_level(logging.DEBUG)
    with ConfluenceDouble(SITE) as double, EchoGateway(double.url) as gateway:
        gateway.add(status, style, path_prefix="/oauth/token", method="POST", count=count)
        endpoints = AtlassianEndpoints(api_url=gateway.url, auth_url=gateway.url)
        config = double.oauth.config(double.url)
        output = read(SourceConfluence(endpoints=endpoints), config, catalog(["spaces"]), expecting_exception=True,
                      debug=True)
        assert bool(output.errors) == (count is None)
        setup = Setup("oauth_token_endpoint", gateway, config, SourceConfluence(), "",
                      {double.oauth.client_secret, double.oauth.refresh_token})
        assert_no_secret(setup, output_text([output], capfd.readouterr(), caplog))


def test_the_guard_finds_an_echoed_credential():
    """The search itself must catch a leak in each form the gateway echoes."""
    gateway = EchoGateway("http://127.0.0.1:9")
    setup = Setup("cloud_basic", gateway, {}, SourceConfluence(), "", {API_TOKEN})
    header = "Basic " + base64.b64encode(f"someone@example.com:{API_TOKEN}".encode()).decode()
    gateway._record({"Authorization": header}, "")
    gateway.server.server_close()  # never started: only its credential log is used
    for style in STYLES:
        _, body = echo_body(style, "GET", "/x", {"Authorization": header}, "")
        with pytest.raises(AssertionError, match="leaked"):
            assert_no_secret(setup, [body.decode()])

