"""The adversary's moves as hypothesis strategies, and how each changes the site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from unit_tests.adversary.site import CONTAINERS, Site

KINDS = ("page", "blogpost", "footer", "inline", "attachment")
TICKS = (0, 0, 1, 7, 999, 30_000, 61_000, 3_600_000)
"""Milliseconds the clock moves: often not at all (ties), sometimes past a minute or an hour."""
RANK = st.integers(0, 3)
INDEX = st.integers(0, 40)

CREATE = st.tuples(st.just("create"), st.sampled_from(KINDS), INDEX, INDEX, st.integers(0, 2), RANK)
CHANGE = st.one_of(
    CREATE,
    st.tuples(st.just("edit"), INDEX, RANK),
    st.tuples(st.just("status"), INDEX, st.sampled_from(("trashed", "current", "archived")), RANK),
    st.tuples(st.just("move"), INDEX, INDEX, RANK),
    st.tuples(st.just("purge"), INDEX),
    st.tuples(st.just("task"), INDEX, INDEX, RANK),
    st.tuples(st.just("resolve"), INDEX),
    st.tuples(st.just("tick"), st.sampled_from(TICKS)),
)


def between_requests(extra: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """Mostly nothing; sometimes a change (or a flavour-specific move) before the next answer."""
    moves = CHANGE if extra is None else st.one_of(CHANGE, extra)
    return st.one_of(st.none(), st.none(), st.none(), moves)


ARCHIVABLE = {"page", "attachment"}


def apply(site: Site, move: tuple[Any, ...], changed: Callable[[str], None]) -> None:
    """Applies a change; `changed(id)` hears of every object it touched (Data Center's index queue)."""
    name = move[0]
    if name == "tick":
        site.tick(move[1])
        return
    if name == "create":
        _, kind, space_index, container_index, tasks, rank = move
        obj = site.create(kind, rank, space_index, container_index, tasks)
        if obj is not None:
            changed(obj.id)
        return
    objects = sorted(site.objects.values(), key=lambda o: int(o.id))
    if not objects:
        return
    obj = objects[move[1] % len(objects)]
    if name == "edit":
        site.edit(obj, move[2])
    elif name == "status":
        status = move[2]
        if status == "archived" and obj.kind not in ARCHIVABLE or status == obj.status:
            return
        if obj.kind in ("footer", "inline") and status == "archived":
            return
        site.set_status(obj, status, move[3])
    elif name == "move":
        if obj.kind != "page":
            return
        site.move(obj, move[2], move[3])
        for child in site.live("footer", "inline", "attachment"):
            if child.container_id == obj.id:
                changed(child.id)
    elif name == "purge":
        children = [o.id for o in site.objects.values() if o.container_id == obj.id]
        site.purge(obj)
        for child in children:
            changed(child)
    elif name == "task":
        if obj.kind not in CONTAINERS or not obj.tasks:
            return
        site.toggle_task(obj, move[2], move[3])
    elif name == "resolve":
        if obj.kind != "inline":
            return
        site.resolve(obj)
    changed(obj.id)
