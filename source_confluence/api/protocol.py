"""The seam between streams and the two API flavours.

Streams ask for what they need in Confluence's terms (a space's pages newest first, the tasks of
these pages, the users with these ids); `CloudClient` (REST v2) and `DataCenterClient` (REST v1 and
CQL) answer with objects in one shape, the v2 one, so that `records/builders.py` builds the same records from
both. A walk is read page by page; each page says where the walk continues (a `Position`), which
streams store in state and hand back to the client to resume.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from source_confluence.http.download import Fetched

# What a modification-time walk can read. Containers are pages and blog posts.
PAGE = "page"
BLOGPOST = "blogpost"
FOOTER_COMMENT = "footer_comment"
INLINE_COMMENT = "inline_comment"
ALL_COMMENTS = "comment"
"""Footer and inline comments in one list (Data Center's search cannot tell them apart)."""
ATTACHMENT = "attachment"
CONTAINER_TYPES = (PAGE, BLOGPOST)
ALL_STATUSES = ("current", "archived", "trashed", "deleted")
MAX_BULK_IDS = 250

Position = Mapping[str, Any]
"""Where a list continues, as its client reads it back: Cloud `{"next": <the server's opaque
`_links.next` path>}`; a Data Center walk `{"bound": <proven CQL minute, or None>, "start": <offset>}`
(the client builds the search from it). JSON, so a checkpoint can hold it."""


@dataclass(frozen=True)
class ListPage:
    results: Sequence[Mapping[str, Any]]
    resume: Position | None
    """Where the list continues after this page, or None on the last page."""
    base_url: str
    """Where web links start (e.g. https://site.atlassian.net/wiki), for building web URLs."""
    proven_before: str | None = None
    """Server-filtered walks (Data Center): every object whose place in the list's order is before
    this time has been returned by the walk so far (None: nothing proven yet). A result's own time
    proves nothing there: search places a hit where it was indexed and loads it as it is now."""
    containers: tuple[str, ...] | None = None
    """Task lists read from bodies (Data Center): the containers whose whole bodies this page read,
    so every task they hold is in its results; None elsewhere."""


class ConfluenceApi(Protocol):
    page_size: int
    default_base: str
    filters_by_modified_time: bool
    """True when a walk can ask the server for "modified since" (CQL); False when it must read newest
    first and stop at the bound itself (v2 lists). A server-side filter compares to the minute, so
    walks then also settle repeats within the cursor's minute."""
    comment_kinds: tuple[str, ...]
    """The comment lists to walk: footer and inline apart (Cloud), or all in one (Data Center)."""
    tasks_from_bodies: bool
    """True where tasks are parsed from container bodies (Data Center): a container read again
    lists every task it holds, so a task missing from it was removed."""
    visibility_lag: timedelta | None
    """How long a change may take to show in a walk's list (Data Center's search index lags the
    database); None where lists read the database (Cloud). Cursors never claim that last stretch."""

    def current_user(self) -> Mapping[str, Any]: ...

    def spaces(self, keys: Sequence[str] = ()) -> Iterator[Mapping[str, Any]]: ...

    def walk(self, kind: str, space_id: str | None, order: str, lower: str | None, bodies: bool,
             resume: Position | None = None, limit: int | None = None) -> Iterator[ListPage]:
        """`kind` (in one space, or site-wide when None) sorted by modification time, from `lower` (None:
        from the start), or from `resume` (a page's `resume` of the same walk). A position this client
        cannot continue (expired, or not its own) raises ConfluenceHttpError 400 when read. `limit`:
        objects per page below the page size (a newest-first walk's probe, streams/probe.py)."""

    def listing(self, kind: str, space_id: str | None) -> Iterator[Mapping[str, Any]]:
        """Every object of `kind` without bodies (ids and metadata), for the deletion check."""

    def containers(self, container_type: str, ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        """Pages or blog posts by id, without bodies."""

    def containers_with_bodies(self, container_type: str, ids: Sequence[str]) -> Iterator[Mapping[str, Any]]:
        """Pages or blog posts by id, with their storage bodies (Data Center: current ones only)."""

    def surviving(self, kind: str, ids: Sequence[str]) -> Iterator[str]:
        """Of ids missing from a deletion check's listing, those the site still lists somewhere, read
        from the database: a page moved to another space, or (Data Center) a change the search index
        has not caught up with. The others are gone. Lazy, so a caller can tell a page link that
        expired mid-way (read again) from a request that was wrong from the start."""

    def containers_in_space(self, container_type: str, space_id: str) -> Iterator[Mapping[str, Any]]:
        """Every page or blog post of a space, without bodies."""

    def newest_container(self, container_type: str, space_id: str) -> Mapping[str, Any] | None: ...

    def space_tasks(self, space_id: str, bodies: bool, resume: Position | None = None) -> Iterator[ListPage]:
        """Every task of a space, from the start or from `resume` (a page's `resume` of this listing).
        May stop early (Data Center's search kept moving): its last page then has a `resume`."""

    def container_tasks(self, container_type: str, container_ids: Sequence[str], bodies: bool) -> Iterator[ListPage]:
        """The tasks of these pages or blog posts; stops early like `space_tasks`."""

    def inline_comments_of(self, container_type: str, container_id: str, bodies: bool) -> Iterator[Mapping[str, Any]]: ...

    def content_with_labels(self, names: Sequence[str],
                            container_types: Sequence[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(type, object) of the pages or blog posts carrying at least one of these labels (by name),
        without bodies."""

    def space_labels(self, space_id: str) -> Iterator[Mapping[str, Any]]: ...

    def users(self, account_ids: Sequence[str]) -> list[Mapping[str, Any]]: ...

    def download(self, attachment: Mapping[str, Any], max_bytes: int) -> Fetched:
        """An attachment's file (`attachment`: its API object, with `downloadLink` relative to the wiki
        base), streamed and cut at `max_bytes`; what fails for this one file is a `Fetched.failure`,
        not an exception."""

    @property
    def access(self) -> AccessApi:
        """Groups, the audit log and space permissions (`api/cloud/access.py`, `api/datacenter/access.py`)."""


class AccessApi(Protocol):
    """Who can do what: objects in one shape for both flavours (Data Center's translated)."""

    def groups(self) -> Iterator[Mapping[str, Any]]:
        """Every group: `id` (Data Center: the name), `name`, `type`, `managedBy` where given."""

    def group_members(self, group: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        """The members of a group (from `groups`): `accountId` (Data Center: the user key), `username`,
        `displayName`, `accountType`."""

    def audit_records(self, start_ms: int | None, end_ms: int) -> Iterator[Mapping[str, Any]]:
        """Audit events created in [start_ms, end_ms] (epoch ms; None: from the oldest kept), as the v1
        API gives them. Raises ConfluenceHttpError 401/403 without the rights to read the log."""

    def space_grants(self, space: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        """A space's permissions, one per (principal, operation): `principalType` (user, group, anonymous,
        all_licensed_users, role), `principalId`, `operation`, `targetType`, `grantedThrough`
        (permission, role_assignment), `roleId`, `roleName`."""


@runtime_checkable
class LabelLists(Protocol):
    """Labels listed label by label (Cloud: the label list, then what carries each label)."""

    def labels(self) -> Iterator[Mapping[str, Any]]: ...

    def labelled(self, label_id: str, content_type: str) -> Iterator[ListPage]:
        """Pages, blog posts or attachments carrying a label."""


@runtime_checkable
class CommentVersions(Protocol):
    """Versions of a comment. Cloud's v2 comments carry no creation time; their first version's time
    is it. Data Center has no need of it (every comment comes with its creation time)."""

    def comment_version(self, kind: str, comment_id: str, number: int) -> Mapping[str, Any] | None:
        """Version `number` of a footer or inline comment (`kind`); None when the comment is gone."""


@runtime_checkable
class VersionLists(Protocol):
    """Version histories, one list per content (`content_versions`)."""

    versions_newest_first: bool
    """True when the request asks for newest first; False: the order is not stated (Data Center)."""

    def versions(self, kind: str, content_id: str) -> Iterator[ListPage]:
        """Every version of one page, blog post, comment or attachment (`kind` as a walk's), in the v2
        Version shape; a 404 means the content is gone."""


@runtime_checkable
class ContentAnalytics(Protocol):
    """Views of pages and blog posts (Cloud's analytics API; Data Center has none)."""

    def content_count(self, content_id: str, metric: str, from_date: str | None) -> int | None:
        """`views` or distinct `viewers` of a page or blog post since `from_date` (all time when None);
        None when the content is gone."""


@runtime_checkable
class LabelsWithContent(Protocol):
    """Labels that come with the content (Data Center has no label list: `metadata.labels`)."""

    def labelled_in_space(self, space_id: str, content_type: str) -> Iterator[ListPage]:
        """Every page, blog post or attachment of a space, without bodies, each with its `labels`."""


@runtime_checkable
class LabelsOfContent(Protocol):
    """The current labels of given content (the labels of what changed since the last sync)."""

    def labels_of(self, content_type: str, ids: Sequence[str]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        """(id, its labels) of each page, blog post or attachment among `ids` that still exists."""


@runtime_checkable
class LabelsOfVersions(Protocol):
    """The current labels of content read at known versions, in bulk (Cloud: a v1 search, whose index
    may lag; what it cannot answer for is read item by item)."""

    def labels_at(self, content_type: str,
                  versions: Mapping[str, int | None]) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
        """(id, its labels) of each id of `versions` (id -> the version the sync read, None: any) that
        still exists, read no earlier than that version."""


def items(lists: Iterator[ListPage]) -> Iterator[Mapping[str, Any]]:
    for listed in lists:
        yield from listed.results
