"""api.cloud.id_search.RefusableSearch: a refusal turns the bulk search off for the sync, once, with
one warning that names the stream and the scope to grant; other errors keep it on."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from source_confluence.api.cloud.id_search import RefusableSearch
from source_confluence.http.transport import ConfluenceHttpError


class Answers:
    """Answers each search with the next status: 200 returns the ids asked, others raise."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.links: list[str] = []

    def get_list(self, link: str) -> tuple[Any, None]:
        self.links.append(link)
        status = self.statuses.pop(0)
        if status != 200:
            raise ConfluenceHttpError(status, link, "refused")
        return {"results": [{"id": "1"}, {"id": "2"}], "_links": {}}, None


def search(answers: Answers) -> RefusableSearch:
    return RefusableSearch(answers.get_list, "content_labels", "each changed item's labels", batch=100)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_turns_the_search_off_with_one_warning(status: int, caplog: pytest.LogCaptureFixture) -> None:
    answers = Answers(status)
    bulk = search(answers)
    with caplog.at_level(logging.WARNING, logger="airbyte"):
        assert list(bulk.results(["1", "2"], "version", "a test search")) == []
        assert list(bulk.results(["3"], "version", "a test search")) == []
    assert not bulk.usable and len(answers.links) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'content_labels'" in warnings[0] and f"HTTP {status}" in warnings[0]
    assert "read:content-details:confluence" in warnings[0] and "each changed item's labels alone" in warnings[0]


def test_an_expired_cursor_ends_the_batch_but_keeps_the_search() -> None:
    answers = Answers(400, 200)
    bulk = search(answers)
    assert list(bulk.results(["1", "2"], "version", "a test search")) == []
    assert [hit["id"] for hit in bulk.results(["1", "2"], "version", "a test search")] == ["1", "2"]
    assert bulk.usable


def test_any_other_error_is_the_callers() -> None:
    bulk = search(Answers(404))
    with pytest.raises(ConfluenceHttpError):
        list(bulk.results(["1"], "version", "a test search"))
    assert bulk.usable
