"""What both fakes share: the transport seam they plug into, paging tokens, object renderings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from source_confluence.http.transport import ConfluenceHttpError
from unit_tests.adversary.site import EPOCH, Obj, Site


@dataclass
class _Request:
    path_url: str


class FakeResponse:
    """Enough of requests.Response for the clients (they read the request path for messages)."""

    def __init__(self, path_url: str) -> None:
        self.request = _Request(path_url)
        self.status_code = 200
        self.headers: dict[str, str] = {}


class FakeTransport:
    """Stands where `transport.Transport` stands: the clients call get/post with site paths."""

    def __init__(self, site_url: str, answer: Callable[[str, str, list[tuple[str, str]], Any], Any],
                 before_request: Callable[[], None]) -> None:
        self.site_url = site_url
        self._answer = answer
        self._before_request = before_request
        self.requests = 0

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, FakeResponse]:
        return self._send("GET", path_or_url, params, None)

    def get_list(self, path_or_url: str) -> tuple[Any, FakeResponse]:
        return self._send("GET", path_or_url, None, None)

    def post(self, path: str, body: Mapping[str, Any]) -> tuple[Any, FakeResponse]:
        return self._send("POST", path, None, body)

    def _send(self, method: str, path_or_url: str, params: Mapping[str, Any] | None, body: Any) -> tuple[Any, FakeResponse]:
        parts = urlsplit(path_or_url)
        query = parse_qsl(parts.query, keep_blank_values=True) + [(k, str(v)) for k, v in (params or {}).items()]
        self.requests += 1
        self._before_request()
        path_url = parts.path + (f"?{parts.query}" if parts.query else "")
        return self._answer(method, parts.path, query, body), FakeResponse(path_url)


def reject(status: int, path: str, detail: str) -> ConfluenceHttpError:
    return ConfluenceHttpError(status, path, detail)


class Tokens:
    """Opaque paging tokens: each names a position the server keeps (keyset or offset)."""

    def __init__(self) -> None:
        self._positions: dict[str, Any] = {}
        self._expired: set[str] = set()

    def issue(self, position: Any) -> str:
        token = f"t{len(self._positions) + 1}"
        self._positions[token] = position
        return token

    def expire(self) -> None:
        """The adversary's move: every token issued so far answers HTTP 400 from now on."""
        self._expired.update(self._positions)

    def resolve(self, token: str, path: str) -> Any:
        if token in self._expired or token not in self._positions:
            raise reject(400, path, "cursor expired or invalid")
        return self._positions[token]


def link(path: str, query: list[tuple[str, str]], **replace: str) -> str:
    kept = [(k, v) for k, v in query if k not in replace]
    return f"{path}?{urlencode(kept + list(replace.items()))}"


def iso_utc(ms: int) -> str:
    moment = EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def storage(site: Site, obj: Obj) -> str:
    """A body that changes with every version and carries the container's task list, and a decision
    per task (`d<local>`, decided while the task is complete: `decisions` rides the same bodies)."""
    text = f"<p>{obj.kind} {obj.id} version {obj.version}</p>"
    if not obj.tasks:
        return text
    tasks = "".join(f"<ac:task><ac:task-id>{local}</ac:task-id><ac:task-status>{status}</ac:task-status>"
                    f"<ac:task-body>task {local} of {obj.id}</ac:task-body></ac:task>"
                    for local, status in obj.tasks.items())
    decisions = "".join(f'<ac:structured-macro ac:name="decision" ac:macro-id="d{local}"><ac:parameter '
                        f'ac:name="status">{decision_state(status)}</ac:parameter><ac:rich-text-body><p>decision '
                        f"{local}</p></ac:rich-text-body></ac:structured-macro>" for local, status in obj.tasks.items())
    return f"{text}<ac:task-list>{tasks}</ac:task-list>{decisions}"


def decision_state(task_status: str) -> str:
    return "decided" if task_status == "complete" else "undecided"


def int_param(query: list[tuple[str, str]], name: str, path: str, default: int, low: int, high: int) -> int:
    values = [v for k, v in query if k == name]
    if not values:
        return default
    if not values[-1].isdigit() or not low <= int(values[-1]) <= high:
        raise reject(400, path, f"{name} must be an integer from {low} to {high}")
    return int(values[-1])
