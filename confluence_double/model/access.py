"""Who may read or edit content (restrictions) and where pages sit (folders), with their mutations.

- Restrictions: per page or blog post, per operation (``read`` | ``update``), the users and groups
  allowed. ``restrict`` and ``lift`` never create a version (as in Confluence).
- Folders (Cloud): a folder sits at the space root, under a page or under another folder; a page
  moved into a folder (``move_page_to_folder``) gets a new version, as ``move_page`` gives it.
  Pages keep their parent's id in ``parent_id``; ``parent_type_of`` says whether it is a folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .clock import normalize_at

OPERATIONS = ("read", "update")


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # user | group
    id: str  # account id, or group id
    name: str  # group name (users: their display name comes from the user)


@dataclass(slots=True, eq=False)
class Folder:
    id: str
    space_id: str
    title: str
    parent_id: str | None
    author_id: str
    created_at: datetime
    status: str = "current"
    num: int = 0


class AccessMutations:
    """A mixin of ``Site``: its ``restrictions`` and ``folders`` and the mutations on them."""

    def restrictions_of(self, content_id: str) -> dict[str, list[Principal]]:
        return self.restrictions.get(content_id, {})  # type: ignore[attr-defined]

    def restrict(self, content_id: str, operation: str, principal: Principal) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {OPERATIONS}")
        with self.lock:  # type: ignore[attr-defined]
            self.container(content_id)  # type: ignore[attr-defined]
            allowed = self.restrictions.setdefault(content_id, {}).setdefault(operation, [])  # type: ignore[attr-defined]
            if principal not in allowed:
                allowed.append(principal)
            self._changed()  # type: ignore[attr-defined]

    def lift(self, content_id: str, operation: str, principal: Principal | None = None) -> None:
        """Removes one principal from an operation, or the whole operation's restriction."""
        with self.lock:  # type: ignore[attr-defined]
            by_operation = self.restrictions.get(content_id, {})  # type: ignore[attr-defined]
            allowed = by_operation.get(operation, [])
            if principal is None:
                allowed.clear()
            elif principal in allowed:
                allowed.remove(principal)
            if not allowed:
                by_operation.pop(operation, None)
            if not by_operation:
                self.restrictions.pop(content_id, None)  # type: ignore[attr-defined]
            self._changed()  # type: ignore[attr-defined]

    def create_folder(self, space_id: str, title: str, parent_id: str | None = None,
                      at: datetime | None = None, *, author_id: str | None = None) -> Folder:
        at = normalize_at(at)
        with self.lock:  # type: ignore[attr-defined]
            if space_id not in self.spaces:  # type: ignore[attr-defined]
                raise ValueError(f"no space {space_id}")
            if parent_id is not None and parent_id not in self.folders and parent_id not in self.pages:  # type: ignore[attr-defined]
                raise ValueError(f"no folder or page {parent_id}")
            num = self.new_content_num()  # type: ignore[attr-defined]
            folder = Folder(str(num), space_id, title, parent_id, self._actor(author_id), at, num=num)  # type: ignore[attr-defined]
            self.folders[folder.id] = folder  # type: ignore[attr-defined]
            self._changed()  # type: ignore[attr-defined]
            return folder

    def move_page_to_folder(self, page_id: str, folder_id: str, at: datetime | None = None, *,
                            author_id: str | None = None) -> None:
        at = normalize_at(at)
        with self.lock:  # type: ignore[attr-defined]
            page = self._page(page_id)  # type: ignore[attr-defined]
            folder = self.folders.get(folder_id)  # type: ignore[attr-defined]
            if folder is None or folder.space_id != page.space_id:
                raise ValueError(f"no folder {folder_id} in the page's space")
            if page.parent_id is not None and page.id in self.children.get(page.parent_id, ()):  # type: ignore[attr-defined]
                self.children[page.parent_id].remove(page.id)  # type: ignore[attr-defined]
            page.parent_id = folder.id
            page.position = None
            self._new_version(page, at, self._actor(author_id))  # type: ignore[attr-defined]
            self._changed()  # type: ignore[attr-defined]

    def parent_type_of(self, parent_id: str | None) -> str | None:
        if parent_id is None:
            return None
        return "folder" if parent_id in self.folders else "page"  # type: ignore[attr-defined]
