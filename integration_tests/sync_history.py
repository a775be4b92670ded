"""What the end-to-end scenario's two syncs read, object by object, and what the raw tables hold.

Computed from the Confluence double's site model alone (a snapshot of it taken right before the
first sync, and the site after the mutations) and the connector's documented reading rules; never
from the warehouse or the connector's records. The pipeline appends every record it loads, so the
raw tables hold every version a sync read (``Landed.reads``); the marts' staging keeps the latest
per id (``Landed.content``, ``comments``, ``attachments`` and ``tombstones``).

Timestamps are returned as naive UTC ``datetime`` (what DuckDB hands back for the marts' columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from confluence_double import Attachment, BlogPost, Comment, Page, Site, Task

LIVE_STATUSES = ("current", "archived")  # int_confluence__content.is_live: not deleted, current or archived
DELETED_STATUSES = ("trashed", "deleted", "purged")
FIRST, SECOND = "first", "second"  # the two syncs of the scenario

Content = Page | BlogPost


def naive(dt: datetime | None) -> datetime | None:
    """The site's aware UTC time as DuckDB returns the marts' timestamps (naive, UTC)."""
    return None if dt is None else dt.astimezone(UTC).replace(tzinfo=None)


def content_type_of(obj: Content) -> str:
    return "page" if isinstance(obj, Page) else "blogpost"


def comment_created_at(comment: Comment) -> datetime | None:
    """`created_at` of a Cloud comment record: its first version's time (the connector asks for
    version 1 of every comment it reads at a later version)."""
    return naive(comment.created_at)


@dataclass(frozen=True)
class Seen:
    """One object as one sync read it: the fields of its record the marts use."""

    kind: str  # page | blogpost | comment | attachment
    status: str
    version: int | None  # None for a tombstone
    title: str | None
    space_id: str | None
    container_id: str | None
    author_id: str | None
    created_at: datetime | None
    deleted_at: datetime | None  # a tombstone's is its detection time, known only as the sync's window

    @property
    def is_deleted(self) -> bool:
        return self.status in DELETED_STATUSES

    @classmethod
    def of(cls, site: Site, obj: Content | Comment | Attachment) -> Seen:
        """The record a sync builds from `obj` as the site holds it now."""
        deleted_at = naive(obj.version.created_at) if obj.status in DELETED_STATUSES else None
        if isinstance(obj, Page | BlogPost):
            return cls(content_type_of(obj), obj.status, obj.version.number, obj.title, obj.space_id, None,
                       obj.author_id, naive(obj.created_at), deleted_at)
        container = site.pages.get(obj.container_id) or site.blog_posts.get(obj.container_id)
        space_id = container.space_id if container is not None else None
        if isinstance(obj, Comment):
            # The comment's author field is its current version's author.
            return cls("comment", obj.status, obj.version.number, obj.title, space_id, obj.container_id,
                       obj.version.author_id, comment_created_at(obj), deleted_at)
        # The attachments stream's author is the uploader of the current version.
        return cls("attachment", obj.status, obj.version.number, obj.title, space_id, obj.container_id,
                   obj.version.author_id, naive(obj.created_at), deleted_at)

    @classmethod
    def tombstone(cls, kind: str, space_id: str | None) -> Seen:
        """A purged object as the connector emits it: status deleted, few fields. Pages and blog posts
        carry their partition's space; comments and attachments none."""
        return cls(kind, "deleted", None, None, space_id, None, None, None, None)


@dataclass(frozen=True)
class FirstSync:
    """The site as the first sync read it; taken right before that sync (the site does not change during it)."""

    content: dict[str, Seen]  # every page and blog post, archived ones included (see `read`)
    attachments: dict[str, Seen]
    comments: dict[str, Seen]
    task_ids: frozenset[str]

    @classmethod
    def capture(cls, site: Site) -> FirstSync:
        with site.lock:
            return cls(
                content={c.id: Seen.of(site, c) for c in [*site.pages.values(), *site.blog_posts.values()]},
                # The connector lists attachments that are current, archived or trashed.
                attachments={a.id: Seen.of(site, a) for a in site.attachments.values()
                             if a.status in ("current", "archived", "trashed")},
                # The site-wide comment lists show current comments only.
                comments={i: Seen.of(site, c) for i, c in site.comments.items() if c.status == "current"},
                task_ids=frozenset(site.tasks),
            )

    def read(self, object_id: str) -> Seen | None:
        """What the first sync read of an object; it skips archived content (include_archived=false)."""
        seen = self.content.get(object_id) or self.attachments.get(object_id) or self.comments.get(object_id)
        return None if seen is None or seen.status == "archived" else seen

    def unchanged(self, obj: Content | Attachment | Comment) -> bool:
        """Whether the object's current version is the one the first sync saw."""
        seen = self.content.get(obj.id) or self.attachments.get(obj.id) or self.comments.get(obj.id)
        return seen is not None and seen.status == obj.status and seen.version == obj.version.number


@dataclass(frozen=True)
class Tombstone:
    object_id: str
    object_type: str  # page | blogpost | comment | attachment
    space_id: str | None


@dataclass
class Landed:
    """What the raw tables hold after the first sync, the mutations and the incremental second sync."""

    site: Site
    first: FirstSync
    content: dict[str, Content] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    tombstones: list[Tombstone] = field(default_factory=list)
    label_pairs: list[tuple[str, str]] = field(default_factory=list)  # (content id, label id), pages and blog posts
    reads: dict[tuple[str, str], list[tuple[str, Seen]]] = field(default_factory=dict)
    """(object type, id) -> every (sync, version read), in sync order: the appended raw rows."""

    @classmethod
    def of(cls, site: Site, first: FirstSync) -> Landed:
        landed = cls(site, first)
        for obj in [*site.pages.values(), *site.blog_posts.values()]:
            # The first sync skips archived content; later syncs read whatever changed, archived or
            # not. Unchanged content keeps its first-sync row.
            if first.unchanged(obj) and obj.status == "archived":
                continue
            landed.content[obj.id] = obj
        for content_id, seen in sorted(first.content.items()):
            if content_id not in site.pages and content_id not in site.blog_posts and seen.status != "archived":
                # Purged after being synced: the deletion check emits a tombstone carrying its partition's space.
                landed.tombstones.append(Tombstone(content_id, seen.kind, seen.space_id))
        landed.comments = {i: c for i, c in site.comments.items() if c.status == "current"}
        for comment_id in sorted(set(first.comments) - set(landed.comments)):
            # Trashed or purged comments leave the site-wide lists: a tombstone at the deletion check.
            landed.tombstones.append(Tombstone(comment_id, "comment", None))
        landed.attachments = {i: a for i, a in site.attachments.items() if a.status in ("current", "archived", "trashed")}
        for attachment_id in sorted(set(first.attachments) - set(site.attachments)):
            landed.tombstones.append(Tombstone(attachment_id, "attachment", None))
        # content_labels: the dbt models drop removed labels' tombstones; the label endpoints list current
        # content only, so labels of archived or trashed content are not in it.
        for content_id, label_ids in site.labels_by_content.items():
            obj = site.pages.get(content_id) or site.blog_posts.get(content_id)
            if obj is not None and obj.status == "current":
                landed.label_pairs.extend((content_id, label_id) for label_id in label_ids)
        landed._record_reads()
        return landed

    def _record_reads(self) -> None:
        """The first sync read everything it lists; the second what changed since, and tombstones."""
        latest: dict[tuple[str, str], Content | Comment | Attachment] = {}
        for c in self.content.values():
            latest[(content_type_of(c), c.id)] = c
        latest.update({("comment", i): c for i, c in self.comments.items()})
        latest.update({("attachment", i): a for i, a in self.attachments.items()})
        for (kind, object_id), obj in latest.items():
            reads = [(FIRST, seen)] if (seen := self.first.read(object_id)) is not None else []
            if not reads or not self.first.unchanged(obj):
                reads.append((SECOND, Seen.of(self.site, obj)))
            self.reads[(kind, object_id)] = reads
        for t in self.tombstones:
            self.reads[(t.object_type, t.object_id)] = [(FIRST, self.first.read(t.object_id)),
                                                        (SECOND, Seen.tombstone(t.object_type, t.space_id))]

    @property
    def live(self) -> dict[str, Content]:
        return {i: c for i, c in self.content.items() if c.status in LIVE_STATUSES}

    @property
    def tasks(self) -> dict[str, Task]:
        """The task list API lists every task of the site, whatever its container's status."""
        return dict(self.site.tasks)

    @property
    def orphan_task_ids(self) -> frozenset[str]:
        """Tasks of content purged after the first sync: task removal is not detected, so they stay in the
        warehouse, but their container's tombstone makes them not live and no mart counts them."""
        return self.first.task_ids - set(self.site.tasks)

    def container_is_live(self, container_id: str) -> bool:
        """int_confluence__tasks / contribution events: a synced container must be live; an unsynced one counts as live."""
        obj = self.content.get(container_id)
        if obj is not None:
            return obj.status in LIVE_STATUSES
        # A tombstone is not live; a container never synced (archived before the first sync) is.
        return not any(t.object_id == container_id for t in self.tombstones)
