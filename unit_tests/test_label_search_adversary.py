"""api/cloud/label_search.py against a v1 search doing the worst its contract allows: an index that
lags (ids missing, entries at older versions), embedded label lists cut in every way the LabelArray
can say it (or say nothing), pages smaller than asked in any order, hits not asked for or of another
type, trashed entries, and cursors that expire. Whatever it does, every changed item comes back
once, with the labels of a version no older than the one the sync emitted (its current labels
when read alone), and an item the search answered fully is not read again."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_confluence.api.cloud.label_search import LabelSearch
from source_confluence.api.protocol import ATTACHMENT, BLOGPOST, PAGE
from source_confluence.http.transport import ConfluenceHttpError
from unit_tests.adversary.machine import SOAK

BATCH = 7
LABELS = {n: {"id": str(n), "name": f"label-{n}", "prefix": ("global", "my", "team")[n % 3]} for n in range(1, 15)}
VERSION_MARK = 10
"""Version v carries label VERSION_MARK + v among others, so labels of an older version never pass
for a newer one's."""
SHAPES = ("whole", "next", "full_page", "size_beyond", "bare", "absent")
"""How an index entry embeds its labels: whole, or cut (a next link, as many as its limit, a size
larger than its results), or with no paging stated (a bare array, no expansion)."""
V1_TYPE = {PAGE: "page", BLOGPOST: "blogpost", ATTACHMENT: "attachment"}


@dataclass
class Item:
    id: str
    history: list[frozenset[int]]
    """Label ids at versions 1..len(history); the last is the current one."""
    emitted: int | None
    exists: bool
    entry: tuple[int, str, bool, bool] | None
    """The index's entry: (its version, how its labels are embedded, trashed, of another type), or none."""


@dataclass
class Search:
    kind: str
    items: dict[str, Item]
    order: list[int]
    page_sizes: list[int]
    expire_at: int | None
    extra: list[str]
    first_pages: list[list[str]] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    calls: int = 0

    def get_list(self, link: str) -> tuple[Any, None]:
        self.calls += 1
        query = parse_qs(urlsplit(link).query)
        asked = query["cql"][0].removeprefix("id in (").removesuffix(")").split(",")
        if "cursor" not in query:
            self.first_pages.append(asked)
        elif self.expire_at is not None and self.calls >= self.expire_at:
            raise ConfluenceHttpError(400, "/wiki/rest/api/content/search", "cursor expired")
        by_content_id = {item.id.removeprefix("att"): item for item in self.items.values()}
        hits = [by_content_id[i] for i in asked if i in by_content_id and by_content_id[i].entry is not None]
        hits += [Item(i, [frozenset({1})], None, True, (1, "whole", False, False)) for i in self.extra]
        hits.sort(key=lambda item: self.order[int(item.id.removeprefix("att")) % len(self.order)])
        start = int(query.get("cursor", ["0"])[0])
        size = self.page_sizes[self.calls % len(self.page_sizes)]
        page = hits[start:start + size]
        links: dict[str, Any] = {"base": "https://x.atlassian.net/wiki", "context": "/wiki"}
        if start + size < len(hits):
            first_page = urlsplit(link).query.split("&cursor=")[0]
            links["next"] = f"{urlsplit(link).path.removeprefix('/wiki')}?{first_page}&cursor={start + size}"
        return {"results": [self._hit(item) for item in page], "size": len(page), "_links": links}, None

    def _hit(self, item: Item) -> dict[str, Any]:
        assert item.entry is not None
        version, shape, trashed, other_type = item.entry
        labels = [{**LABELS[n], "label": LABELS[n]["name"]} for n in sorted(item.history[version - 1])]
        shown, limit, size, links = labels, 200, len(labels), {}
        if shape in ("next", "full_page"):
            shown = labels[:1]
            limit = 1 if shape == "full_page" else 200
            size = len(shown)
            links = {"next": f"/rest/api/content/{item.id}/label?start=1"} if shape == "next" else {}
        elif shape == "size_beyond":
            shown, size = labels[:1], len(labels) + 1
        embedded: Any = {"results": shown, "start": 0, "limit": limit, "size": size, "_links": links}
        hit: dict[str, Any] = {"id": item.id, "status": "trashed" if trashed else "current",
                               "type": "comment" if other_type else V1_TYPE[self.kind],
                               "version": {"number": version, "minorEdit": False, "when": "2024-01-01T00:00:00Z"}}
        if shape == "bare":
            hit["metadata"] = {"labels": shown}
        elif shape != "absent":
            hit["metadata"] = {"labels": embedded}
        if shape == "whole" and not trashed and not other_type:
            self.answered.add(item.id)
        return hit


def v2_labels(items: Mapping[str, Item], alone: list[str]) -> Any:
    def one_by_one(kind: str, ids: Sequence[str]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        for content_id in ids:
            alone.append(content_id)
            item = items[content_id]
            if item.exists:
                yield content_id, [LABELS[n] for n in sorted(item.history[-1])]
    return one_by_one


@st.composite
def items(draw: st.DrawFn, kind: str) -> dict[str, Item]:
    count = draw(st.integers(1, 24))
    numbers = draw(st.lists(st.integers(10, 400), min_size=count, max_size=count, unique=True))
    out: dict[str, Item] = {}
    for number in numbers:
        drawn = draw(st.lists(st.frozensets(st.integers(1, 6), max_size=3), min_size=1, max_size=4))
        history = [labels | {VERSION_MARK + v} for v, labels in enumerate(drawn, start=1)]
        emitted = draw(st.none() | st.integers(1, len(history)))
        entry = draw(st.none() | st.tuples(st.integers(1, len(history)), st.sampled_from(SHAPES), st.booleans(),
                                           st.booleans()))
        content_id = f"att{number}" if kind == ATTACHMENT else str(number)
        out[content_id] = Item(content_id, history, emitted, draw(st.booleans()), entry)
    return out


@settings(max_examples=150 * (20 if SOAK else 1), deadline=None, derandomize=not SOAK,
          database=settings.default.database if SOAK else None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_every_changed_item_comes_back_once_with_labels_no_older_than_emitted(data: st.DataObject):
    kind = data.draw(st.sampled_from((PAGE, BLOGPOST, ATTACHMENT)))
    site = data.draw(items(kind))
    search = Search(kind, site, data.draw(st.permutations(range(17))), data.draw(st.lists(st.integers(1, 9), min_size=1)),
                    data.draw(st.none() | st.integers(1, 6)), data.draw(st.lists(st.sampled_from(["5", "6", "7"]),
                                                                                  unique=True, max_size=2)))
    alone: list[str] = []
    reader = LabelSearch(search, v2_labels(site, alone), batch=BATCH)
    versions = {content_id: item.emitted for content_id, item in site.items()}

    got = list(reader.labels_at(kind, versions))

    ids = [content_id for content_id, _ in got]
    assert len(ids) == len(set(ids)) and set(ids) <= set(site)
    assert {i for i, item in site.items() if item.exists} <= set(ids)
    assert sorted(alone) == sorted(set(alone))  # none read alone twice
    for content_id, labels in got:
        item = site[content_id]
        labelled = {str(label["id"]): (label["name"], label["prefix"]) for label in labels}
        assert len(labelled) == len(labels)
        at_least = item.emitted or 1
        assert any(labelled == {str(n): (LABELS[n]["name"], LABELS[n]["prefix"]) for n in item.history[v - 1]}
                   for v in range(at_least, len(item.history) + 1)), (content_id, labels, item)
        if content_id in alone:
            assert labelled == {str(n): (LABELS[n]["name"], LABELS[n]["prefix"]) for n in item.history[-1]}
    # One search per BATCH ids, each id asked once; what the search answered whole and fresh is not read again.
    asked = [i for page in search.first_pages for i in page]
    assert len(search.first_pages) == math.ceil(len(site) / BATCH) and sorted(asked) == sorted(
        i.removeprefix("att") for i in site)
    fresh = {i for i in search.answered if i in site and site[i].entry[0] >= (site[i].emitted or 0)}
    assert not fresh & set(alone)


def test_a_refused_search_reads_every_item_alone_from_then_on():
    class Refusing:
        calls = 0

        def get_list(self, link: str) -> tuple[Any, None]:
            self.calls += 1
            raise ConfluenceHttpError(403, "/wiki/rest/api/content/search", "scope does not match")

    site = {str(n): Item(str(n), [frozenset({n % 6 + 1})], 1, True, None) for n in range(10, 20)}
    alone: list[str] = []
    transport = Refusing()
    reader = LabelSearch(transport, v2_labels(site, alone), batch=BATCH)
    first = dict(reader.labels_at(PAGE, {i: 1 for i in site}))
    second = dict(reader.labels_at(PAGE, {"10": 1}))
    assert transport.calls == 1 and sorted(alone) == sorted([*site, "10"])
    assert first["12"] == [LABELS[1]] and second == {"10": [LABELS[5]]}
