"""How API answers become what a user needs from a partition: skip a forbidden or vanished
partition with a warning, fail with a config error on revoked credentials, and read a whole list
again when one of its page links expires."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_confluence.http.transport import ConfluenceHttpError

LOGGER = logging.getLogger("airbyte")
MAX_LIST_ATTEMPTS = 3
T = TypeVar("T")


def read_fully(items: Callable[[], Iterable[T]], stream: str, what: str) -> list[T]:
    """Every item of a list that is read whole (id scans, look-ups): when a page link expires
    (HTTP 400 after the first page), the list is read again from its start, then a transient
    error. A 400 on the first page is the request's own fault and goes up as it is."""
    for _ in range(MAX_LIST_ATTEMPTS):
        read: list[T] = []
        try:
            for item in items():
                read.append(item)
            return read
        except ConfluenceHttpError as error:
            if error.status != 400 or not read:
                raise
            LOGGER.warning(f"Stream '{stream}': a page link of {what} was rejected (expired); reading it again.")
    raise AirbyteTracedException(
        message=f"Confluence kept rejecting the page links of {what} (stream '{stream}') as expired; the next sync "
        "reads it again.",
        failure_type=FailureType.transient_error)


class translate_http_errors:  # noqa: N801 - used as a context manager, reads like one
    def __init__(self, stream: str, describe: str) -> None:
        self._stream = stream
        self._describe = describe

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if not isinstance(error, ConfluenceHttpError):
            return False
        if error.status in (403, 404):
            LOGGER.warning(
                f"Stream '{self._stream}': skipped {self._describe} because the account cannot read it "
                f"(HTTP {error.status}). Grant the account view permission to sync it."
            )
            return True
        if error.status == 401:
            raise AirbyteTracedException(
                message="Confluence stopped accepting the credentials during the sync (HTTP 401): the token "
                "was revoked or expired. Reconnect the source with a valid token.",
                internal_message=str(error),
                failure_type=FailureType.config_error,
            ) from None
        raise AirbyteTracedException(
            message=f"Confluence rejected a request of stream '{self._stream}' (HTTP {error.status}: {error.detail}).",
            internal_message=str(error),
            failure_type=FailureType.system_error,
        ) from None
