"""The user's selection (spaces, page trees, labels, content types), decided once per sync.

Filters the API cannot apply server-side are resolved into id sets up front, at a cost that grows
with the selection, not with the site:
- page trees: one metadata-only listing (no bodies, 250 per request) of each space holding a root;
- labels: the label list, then the pages and blog posts carrying each selected label.
Comments, tasks, attachments and labels follow their container.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from source_confluence.api.protocol import BLOGPOST, PAGE, ConfluenceApi
from source_confluence.config import ConnectorConfig
from source_confluence.records.references import Container
from source_confluence.records.values import optional_str
from source_confluence.sync.directories import ContainerDirectory

LOGGER = logging.getLogger("airbyte")
CONTAINER_STREAM = {"page": "pages", "blogpost": "blog_posts"}


class Selection:
    def __init__(self, config: ConnectorConfig, client: ConfluenceApi, containers: ContainerDirectory,
                 space_ids: set[str] | None) -> None:
        self._config = config
        self._client = client
        self._containers = containers
        self._space_ids = space_ids
        self._lock = threading.Lock()
        self._tree_ids: set[str] | None = None
        self._tree_spaces: set[str] | None = None
        self._labelled_ids: set[str] | None = None

    # -- what is switched on ----------------------------------------------------------------
    def content_type_enabled(self, stream: str) -> bool:
        return stream in self._config.content_types

    @property
    def include_bodies(self) -> bool:
        return self._config.include_bodies

    def space_has_pages_to_read(self, space_id: str) -> bool:
        if not self._config.page_tree_roots:
            return True
        return space_id in self._trees()[1]

    # -- content filters ---------------------------------------------------------------------
    def allows_content(self, content_id: str, container_type: str, space_id: str | None) -> bool:
        if not self.content_type_enabled(CONTAINER_STREAM.get(container_type, "")):
            return False
        if self._space_ids is not None and space_id not in self._space_ids:
            return False
        if container_type == "page" and self._config.page_tree_roots and content_id not in self._trees()[0]:
            return False
        if self._config.labels and content_id not in self._labelled():
            return False
        return True

    def allows_container(self, container_id: str | None, container_type: str | None,
                         space_id: str | None = None) -> bool:
        if not container_id or container_type not in CONTAINER_STREAM:
            return False
        container = self._containers.get(container_id)
        space_id = (container.space_id if container else None) or space_id
        if space_id is None and self._space_ids is not None:
            return False  # a purged or unreadable container cannot be placed in the selection
        return self.allows_content(container_id, container_type, space_id)

    # -- id sets, computed once ----------------------------------------------------------------
    def _trees(self) -> tuple[set[str], set[str]]:
        with self._lock:
            if self._tree_ids is None:
                self._tree_ids, self._tree_spaces = self._load_trees()
            return self._tree_ids, self._tree_spaces or set()

    def _load_trees(self) -> tuple[set[str], set[str]]:
        roots = list(self._config.page_tree_roots)
        spaces: set[str] = set()
        for page in self._client.containers(PAGE, roots):
            if page.get("spaceId"):
                spaces.add(str(page["spaceId"]))
        root_set = set(roots)
        children: dict[str, list[str]] = {}
        seen_roots: set[str] = set()
        for space_id in sorted(spaces):
            for page in self._client.containers_in_space(PAGE, space_id):
                page_id = str(page["id"])
                parent = str(page["parentId"]) if page.get("parentId") else None
                self._containers.remember(Container(page_id, "page", space_id, parent))
                if parent:
                    children.setdefault(parent, []).append(page_id)
                if page_id in root_set:
                    seen_roots.add(page_id)
        selected: set[str] = set()
        stack = [root for root in roots if root in seen_roots]
        for root in sorted(set(roots) - seen_roots):
            LOGGER.warning(f"page_tree_roots: page {root} does not exist or the account cannot read it; "
                           "it selects nothing.")
        while stack:
            page_id = stack.pop()
            if page_id in selected:
                continue
            selected.add(page_id)
            stack.extend(children.get(page_id, ()))
        if not selected:
            LOGGER.warning("page_tree_roots selects no page: the sync will carry no pages.")
        return selected, spaces

    def _labelled(self) -> set[str]:
        with self._lock:
            if self._labelled_ids is None:
                self._labelled_ids = self._load_labelled()
            return self._labelled_ids

    def _load_labelled(self) -> set[str]:
        ids: set[str] = set()
        for container_type, item in self._client.content_with_labels(self._config.labels, (PAGE, BLOGPOST)):
            ids.add(str(item["id"]))
            self._containers.remember(
                Container(str(item["id"]), container_type, optional_str(item.get("spaceId")), optional_str(item.get("parentId")))
            )
        if not ids:
            LOGGER.warning(f"labels {sorted(self._config.labels)} select no content: no page or blog post "
                           "carries them. The sync carries no content.")
        return ids


def space_ids_of(spaces: list[Mapping[str, Any]], restricted: bool) -> set[str] | None:
    return {str(space["id"]) for space in spaces} if restricted else None
