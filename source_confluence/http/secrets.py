"""The secret filter at the connector's output boundary.

The CDK masks registered secrets in log lines and in some traces, but not everywhere: the trace of
a failed stream (built by the concurrent read loop) and a connection status are emitted unfiltered,
and an error body that repeats the request's Authorization header reaches them verbatim. So every
line the entrypoint emits passes through `redact`, and an exception leaving the entrypoint is
replaced by a sanitized copy (`redacted_exception`), whatever code built the message.

A credential can appear encoded, so each is registered in the forms an output can carry: as is,
escaped inside JSON or a Python repr, percent-encoded, and base64 (basic auth's `user:secret` too).
The CONNECTOR_CONFIG control message is left alone: it hands rotated OAuth tokens to the platform.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from airbyte_cdk.models import AirbyteMessage, FailureType
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets, filter_secrets, get_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

MIN_SECRET_LENGTH = 4
"""Shorter forms would mask ordinary text everywhere (the CDK still masks a short secret as typed)."""
_CONTROL_PREFIXES = ('{"type":"CONTROL"', '{"type": "CONTROL"')
# Credential pairs sent as basic auth (field holding the user, field holding the secret).
_BASIC_PAIRS = (("email", "api_token"), ("username", "password"), ("client_id", "client_secret"))


def secret_forms(value: str) -> list[str]:
    """`value` and the encodings of it that an output line can contain, longest first."""
    raw = value.encode("utf-8")
    encoded = {value, repr(value)[1:-1], quote(value, safe=""), quote_plus(value, safe=""),
               base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    # Inside a serialized message each form may be JSON-escaped once more (ASCII-only or not).
    escaped = {json.dumps(form, ensure_ascii=ascii_only)[1:-1] for form in encoded for ascii_only in (True, False)}
    return sorted((form for form in encoded | escaped if len(form) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def register_secret(value: str | None) -> None:
    """Adds a credential, in each of its forms, to the CDK's filter (used by every log line too)."""
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    for form in secret_forms(value):
        if filter_secrets(form) == form:
            add_to_secrets(form)


def register_header_secret(header_value: str | None) -> None:
    """An Authorization value: the whole value, its credential part, and a basic password decoded."""
    if not header_value:
        return
    register_secret(header_value)
    scheme, _, credential = header_value.partition(" ")
    credential = credential.strip()
    register_secret(credential)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            return
        register_secret(decoded.partition(":")[2])


def register_config_secrets(config: Mapping[str, Any], connection_specification: Mapping[str, Any]) -> None:
    """Every field the spec marks `airbyte_secret`, and the basic-auth header built from it."""
    for secret in get_secrets(connection_specification, config):
        if isinstance(secret, str):
            register_secret(secret)
    credentials = config.get("credentials")
    if isinstance(credentials, Mapping):
        for user_field, secret_field in _BASIC_PAIRS:
            user, secret = credentials.get(user_field), credentials.get(secret_field)
            if isinstance(user, str) and isinstance(secret, str) and secret:
                pair = base64.b64encode(f"{user}:{secret}".encode()).decode()
                register_header_secret(f"Basic {pair}")


def is_connector_config(line: str) -> bool:
    """A CONNECTOR_CONFIG control message: the one output that must carry the credentials."""
    if not line.startswith(_CONTROL_PREFIXES):
        return False
    try:
        message = json.loads(line)
    except ValueError:
        return False
    return isinstance(message, dict) and (message.get("control") or {}).get("type") == "CONNECTOR_CONFIG"


def redact(line: str) -> str:
    return line if is_connector_config(line) else filter_secrets(line)


def redact_all(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        yield redact(line)


class RedactedTrace(AirbyteTracedException):
    """A traced exception whose trace message, stack trace included, is already sanitized, so that
    whoever turns it into output (the console script's hook, the CDK's test wrapper) cannot leak."""

    def as_airbyte_message(self, stream_descriptor: Any = None) -> AirbyteMessage:
        message = super().as_airbyte_message(stream_descriptor)
        error = message.trace.error  # type: ignore[union-attr]
        error.message = filter_secrets(error.message)
        error.internal_message = filter_secrets(error.internal_message) if error.internal_message else None
        error.stack_trace = filter_secrets(error.stack_trace) if error.stack_trace else None
        return message

    def __str__(self) -> str:
        return filter_secrets(super().__str__())


def redacted_exception(error: Exception) -> RedactedTrace:
    """A sanitized stand-in for an exception leaving the entrypoint, keeping its failure type and
    stream; its stack trace is the original's, filtered when rendered. Raise it `from None`."""
    if isinstance(error, RedactedTrace):
        return error
    traced = error if isinstance(error, AirbyteTracedException) else None
    internal = traced.internal_message if traced else str(error)
    return RedactedTrace(
        internal_message=filter_secrets(internal) if internal else None,
        message=filter_secrets(traced.message) if traced and traced.message else None,
        failure_type=traced.failure_type if traced else FailureType.system_error,
        exception=getattr(traced, "_exception", None) or error,
        stream_descriptor=getattr(traced, "_stream_descriptor", None),
    )
