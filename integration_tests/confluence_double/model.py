"""In-memory model of a Confluence Cloud site, and the mutations tests apply to it.

Every object keeps only its current version. "modified-date" in the v2 API is the time of the
current version (``version.created_at``). Which mutations create a new version:

- Pages: ``edit_page``, ``move_page``, ``trash_page``, ``archive_page`` and ``delete_page`` each
  create a new version (number + 1, createdAt = ``at``, authorId = the acting user). We assume
  that trashing, archiving and moving record a new version, so an incremental reader sorting by
  ``-modified-date`` sees them. ``create_page`` starts at version 1. ``purge_page`` removes the
  page and everything attached to it; its children move to its parent *without* a new version.
- Blog posts: the same for ``edit_blog_post``, ``trash_blog_post`` and ``delete_blog_post``.
- ``complete_task`` edits the body of the task's page or blog post: the container gets a new
  version; the task gets status complete, completedBy, completedAt = updatedAt = ``at``.
- ``add_label`` / ``remove_label`` never create a version of the labelled object (as in Confluence).
- ``add_comment`` and ``add_attachment`` leave the container's version alone.
  ``resolve_inline_comment`` sets resolutionStatus and resolutionLastModifiedAt/ModifierId only (no
  new comment version). ``edit_comment``, ``trash_comment`` and ``trash_attachment`` create a new
  version of the comment / attachment. Comments also remember their first version (the creation
  time and ``created_by``), which the v2 comment version endpoints serve.

All mutations run under ``Site.lock`` and bump ``Site.generation`` so that cached sort orders of
the HTTP layer are rebuilt. ``at`` defaults to now (UTC) and is truncated to milliseconds, the
precision Confluence serves.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .bodies import (
    BodyFactory,
    DynamicParts,
    adf_from_storage,
    adf_of,
    images_block,
    markers_block,
    storage_json_of,
    storage_of,
    task_list_block,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
NO_DYNAMIC_PARTS = DynamicParts(tasks=None, markers=None, images=None)


def to_ms(dt: datetime) -> int:
    return (dt - EPOCH) // ONE_MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def iso(dt: datetime) -> str:
    """Confluence's "YYYY-MM-DDTHH:mm:ss.sssZ"."""
    return dt.isoformat(timespec="milliseconds")[:-6] + "Z"


def normalize_at(at: datetime | None) -> datetime:
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    else:
        at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


@dataclass(slots=True)
class Version:
    number: int
    created_at: datetime
    author_id: str
    message: str = ""
    minor_edit: bool = False


@dataclass(slots=True, eq=False)
class User:
    account_id: str
    display_name: str
    public_name: str
    email: str  # "" when the user's privacy settings hide it, as Confluence serves it
    account_type: str  # atlassian | app
    account_status: str  # active | inactive
    time_zone: str
    personal_space_id: str | None = None


@dataclass(slots=True, eq=False)
class Space:
    id: str
    key: str
    name: str
    description: str
    type: str
    status: str
    author_id: str
    created_at: datetime
    homepage_id: str | None = None
    num: int = 0


@dataclass(slots=True, eq=False)
class Page:
    id: str
    space_id: str
    title: str
    status: str
    parent_id: str | None
    position: int | None
    author_id: str
    owner_id: str
    created_at: datetime
    version: Version
    body: str | None = None  # explicit storage body set by a mutation; None = generated
    body_rev: int = 1  # generated-body variant; changes only when the content is edited
    last_owner_id: str | None = None
    num: int = 0

    @property
    def modified_at(self) -> datetime:
        return self.version.created_at


@dataclass(slots=True, eq=False)
class BlogPost:
    id: str
    space_id: str
    title: str
    status: str
    author_id: str
    created_at: datetime
    version: Version
    body: str | None = None
    body_rev: int = 1
    num: int = 0

    @property
    def modified_at(self) -> datetime:
        return self.version.created_at


@dataclass(slots=True, eq=False)
class Comment:
    id: str
    comment_type: str  # footer | inline
    container_id: str
    container_type: str  # page | blogpost
    title: str
    status: str
    created_at: datetime
    version: Version
    parent_comment_id: str | None = None
    body: str | None = None
    body_rev: int = 1
    resolution_status: str | None = None  # inline only: open | resolved | reopened | dangling
    resolution_last_modifier_id: str | None = None
    resolution_last_modified_at: datetime | None = None
    inline_marker_ref: str | None = None
    inline_original_selection: str | None = None
    num: int = 0
    created_by: str | None = None  # author of version 1; None = the current version's author

    @property
    def modified_at(self) -> datetime:
        return self.version.created_at

    @property
    def first_version(self) -> Version:
        """Version 1: the comment's creation (the model keeps only it and the current version)."""
        if self.version.number == 1:
            return self.version
        return Version(1, self.created_at, self.created_by or self.version.author_id)


@dataclass(slots=True, eq=False)
class Task:
    id: str
    local_id: str
    space_id: str
    container_id: str
    container_type: str  # page | blogpost
    status: str  # complete | incomplete
    body: str  # storage of <ac:task-body>; "" for a blank task
    created_by: str
    created_at: datetime
    updated_at: datetime
    assigned_to: str | None = None
    completed_by: str | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None
    num: int = 0


@dataclass(slots=True, eq=False)
class Label:
    id: str
    name: str
    prefix: str  # global | my | team
    created_at: datetime
    num: int = 0


@dataclass(slots=True, eq=False)
class Attachment:
    id: str  # "att<number>", as the v2 API serves attachment ids
    container_id: str
    container_type: str  # page | blogpost
    title: str
    status: str
    media_type: str
    media_type_description: str
    file_size: int
    comment: str
    file_id: str
    created_at: datetime
    version: Version
    num: int = 0

    @property
    def modified_at(self) -> datetime:
        return self.version.created_at


@dataclass
class SiteSpec:
    """Size and seed of a generated site."""

    spaces: int = 3
    pages: int = 1000
    blog_posts: int = 100
    footer_comments: int = 600
    inline_comments: int = 200
    tasks: int = 300
    attachments: int = 200
    labels: int = 40
    users: int = 25
    seed: int = 7
    body_bytes: int = 1500


class NotFound(KeyError):
    """Raised by mutations given an id the site does not hold."""


_TASK_STATUS = re.compile(r"(<ac:task-id>(?P<id>[^<]*)</ac:task-id>\s*<ac:task-status>)(incomplete|complete)(</ac:task-status>)")


@dataclass(eq=False)
class Site:
    """The content of one Confluence site; built by ``generator.build_site``."""

    spec: SiteSpec
    lock: threading.RLock = field(default_factory=threading.RLock)
    generation: int = 0
    current_user_id: str = ""
    users: dict[str, User] = field(default_factory=dict)
    spaces: dict[str, Space] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    blog_posts: dict[str, BlogPost] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    # indices, kept in step by the mutations
    children: dict[str, list[str]] = field(default_factory=dict)
    comments_by_container: dict[str, list[str]] = field(default_factory=dict)
    inline_roots_by_container: dict[str, list[str]] = field(default_factory=dict)  # their markers are in the body
    attachments_by_container: dict[str, list[str]] = field(default_factory=dict)
    tasks_by_container: dict[str, list[str]] = field(default_factory=dict)
    labels_by_content: dict[str, list[str]] = field(default_factory=dict)
    content_by_label: dict[str, dict[str, None]] = field(default_factory=dict)
    bodies: BodyFactory | None = None
    next_content_id: int = 0
    next_task_id: int = 0
    next_label_id: int = 0

    # ---- lookups -------------------------------------------------------------------------
    @property
    def current_user(self) -> User:
        return self.users[self.current_user_id]

    def container(self, container_id: str) -> Page | BlogPost:
        obj = self.pages.get(container_id) or self.blog_posts.get(container_id)
        if obj is None:
            raise NotFound(f"no page or blog post {container_id}")
        return obj

    def attachment(self, attachment_id: str) -> Attachment:
        key = attachment_id if attachment_id.startswith("att") else "att" + attachment_id
        att = self.attachments.get(key)
        if att is None:
            raise NotFound(f"no attachment {attachment_id}")
        return att

    def labels_of(self, content_id: str) -> list[Label]:
        return [self.labels[i] for i in self.labels_by_content.get(content_id, ())]

    def label_by_name(self, name: str) -> Label | None:
        for label in self.labels.values():
            if label.name == name:
                return label
        return None

    # ---- bodies --------------------------------------------------------------------------
    def _dynamic_parts(self, obj: Page | BlogPost) -> DynamicParts:
        task_ids = self.tasks_by_container.get(obj.id, ())
        roots = self.inline_roots_by_container.get(obj.id, ())
        attachment_ids = self.attachments_by_container.get(obj.id, ())
        if not (task_ids or roots or attachment_ids):
            return NO_DYNAMIC_PARTS  # most bodies: skip building anything
        tasks = None
        if task_ids:
            rows = []
            for tid in task_ids:
                t = self.tasks[tid]
                rows.append((t.local_id, t.status == "complete", t.body))
            tasks = task_list_block(rows)
        markers = None
        refs = []
        for cid in roots:
            c = self.comments[cid]
            if c.status == "current" and c.resolution_status != "dangling" and c.inline_marker_ref:
                refs.append((c.inline_marker_ref, c.inline_original_selection or ""))
        if refs:
            markers = markers_block(refs)
        images = None
        shown = []
        for aid in attachment_ids:
            a = self.attachments[aid]
            # Only images that existed when this version was saved appear in the body.
            if a.media_type.startswith("image/") and a.status == "current" and a.created_at <= obj.version.created_at:
                shown.append((a.title, a.file_id, obj.id))
        if shown:
            images = images_block(shown[:4])
        return DynamicParts(tasks=tasks, markers=markers, images=images)

    def storage_body(self, obj: Page | BlogPost | Comment) -> str:
        if obj.body is not None:
            return obj.body
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return storage_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return storage_of(self.bodies.content_blocks(obj.num, obj.body_rev, self._dynamic_parts(obj)))

    def storage_body_json(self, obj: Page | BlogPost | Comment) -> str:
        """``storage_body`` escaped as JSON string content (without the quotes)."""
        if obj.body is not None:
            return json.dumps(obj.body)[1:-1]
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return storage_json_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return self.bodies.content_storage_json(obj.num, obj.body_rev, self._dynamic_parts(obj))

    def adf_body_json(self, obj: Page | BlogPost | Comment) -> str:
        """``adf_body`` escaped as JSON string content (without the quotes)."""
        if obj.body is None and not isinstance(obj, Comment):
            assert self.bodies is not None
            return self.bodies.content_adf_escaped(obj.num, obj.body_rev, self._dynamic_parts(obj))
        return json.dumps(self.adf_body(obj))[1:-1]

    def adf_body(self, obj: Page | BlogPost | Comment) -> str:
        if obj.body is not None:
            return adf_from_storage(obj.body)
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return adf_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return adf_of(self.bodies.content_blocks(obj.num, obj.body_rev, self._dynamic_parts(obj)))

    # ---- id allocation -------------------------------------------------------------------
    def new_content_num(self) -> int:
        self.next_content_id += 1
        return self.next_content_id

    def _changed(self) -> None:
        self.generation += 1

    def _actor(self, account_id: str | None) -> str:
        if account_id is None:
            return self.current_user_id
        if account_id not in self.users:
            raise NotFound(f"no user {account_id}")
        return account_id

    @staticmethod
    def _new_version(obj, at: datetime, author: str, minor_edit: bool = False, message: str = "") -> None:
        obj.version = Version(obj.version.number + 1, at, author, message, minor_edit)

    def _page(self, page_id: str) -> Page:
        page = self.pages.get(page_id)
        if page is None:
            raise NotFound(f"no page {page_id}")
        return page

    def _blog(self, blog_post_id: str) -> BlogPost:
        blog = self.blog_posts.get(blog_post_id)
        if blog is None:
            raise NotFound(f"no blog post {blog_post_id}")
        return blog

    # ---- pages ---------------------------------------------------------------------------
    def create_page(
        self,
        space_id: str,
        title: str,
        parent_id: str | None = None,
        body: str | None = None,
        at: datetime | None = None,
        *,
        author_id: str | None = None,
    ) -> Page:
        at = normalize_at(at)
        with self.lock:
            space = self.spaces.get(space_id)
            if space is None:
                raise NotFound(f"no space {space_id}")
            author = self._actor(author_id)
            for p in self.pages.values():
                if p.space_id == space_id and p.title == title and p.status != "deleted":
                    raise ValueError(f"a page titled {title!r} already exists in space {space.key}")
            if parent_id is None:
                parent_id = space.homepage_id
            if parent_id is not None:
                parent = self._page(parent_id)
                if parent.space_id != space_id:
                    raise ValueError("parent page is in another space")
            num = self.new_content_num()
            siblings = self.children.setdefault(parent_id, []) if parent_id else None
            page = Page(
                id=str(num),
                space_id=space_id,
                title=title,
                status="current",
                parent_id=parent_id,
                position=self._next_position(siblings) if siblings is not None else None,
                author_id=author,
                owner_id=author,
                created_at=at,
                version=Version(1, at, author),
                body=body,
                body_rev=1,
                num=num,
            )
            self.pages[page.id] = page
            if siblings is not None:
                siblings.append(page.id)
            if space.homepage_id is None:
                space.homepage_id = page.id
            self._changed()
            return page

    def _next_position(self, siblings: list[str]) -> int:
        positions = [self.pages[s].position or 0 for s in siblings if s in self.pages]
        return max(positions) + 1 if positions else 0

    def edit_page(
        self,
        page_id: str,
        title: str | None = None,
        body: str | None = None,
        minor_edit: bool = False,
        at: datetime | None = None,
        *,
        author_id: str | None = None,
        message: str = "",
    ) -> Page:
        at = normalize_at(at)
        with self.lock:
            page = self._page(page_id)
            author = self._actor(author_id)
            self._new_version(page, at, author, minor_edit, message)
            if title is not None:
                page.title = title
            if body is not None:
                page.body = body
            elif page.body is None:
                page.body_rev = page.version.number  # an edit without a given body still changes the text
            self._changed()
            return page

    def move_page(self, page_id: str, new_parent_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Page:
        at = normalize_at(at)
        with self.lock:
            page = self._page(page_id)
            parent = self._page(new_parent_id)
            if parent.space_id != page.space_id:
                raise ValueError("moving a page to another space is not modelled")
            ancestor: str | None = parent.id
            while ancestor is not None:
                if ancestor == page.id:
                    raise ValueError("cannot move a page under its own descendant")
                ancestor = self.pages[ancestor].parent_id if ancestor in self.pages else None
            if page.parent_id is not None and page.id in self.children.get(page.parent_id, ()):
                self.children[page.parent_id].remove(page.id)
            siblings = self.children.setdefault(parent.id, [])
            page.position = self._next_position(siblings)
            siblings.append(page.id)
            page.parent_id = parent.id
            self._new_version(page, at, self._actor(author_id))
            self._changed()
            return page

    def _set_page_status(self, page_id: str, status: str, at: datetime | None, author_id: str | None) -> Page:
        at = normalize_at(at)
        with self.lock:
            page = self._page(page_id)
            page.status = status
            self._new_version(page, at, self._actor(author_id))
            self._changed()
            return page

    def trash_page(self, page_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Page:
        return self._set_page_status(page_id, "trashed", at, author_id)

    def archive_page(self, page_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Page:
        return self._set_page_status(page_id, "archived", at, author_id)

    def delete_page(self, page_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Page:
        return self._set_page_status(page_id, "deleted", at, author_id)

    def purge_page(self, page_id: str, at: datetime | None = None) -> None:
        with self.lock:
            page = self._page(page_id)
            del self.pages[page_id]
            kids = self.children.pop(page_id, [])
            if page.parent_id is not None and page_id in self.children.get(page.parent_id, ()):
                self.children[page.parent_id].remove(page_id)
            # Children keep their content but hang off the purged page's parent (or the space root).
            for kid_id in kids:
                kid = self.pages[kid_id]
                kid.parent_id = page.parent_id
                if page.parent_id is not None:
                    siblings = self.children.setdefault(page.parent_id, [])
                    kid.position = self._next_position(siblings)
                    siblings.append(kid_id)
                else:
                    kid.position = None
            space = self.spaces.get(page.space_id)
            if space is not None and space.homepage_id == page_id:
                space.homepage_id = kids[0] if kids else None
            self._purge_attached(page_id)
            self._changed()

    def _purge_attached(self, container_id: str) -> None:
        for cid in self.comments_by_container.pop(container_id, []):
            self.comments.pop(cid, None)
        self.inline_roots_by_container.pop(container_id, None)
        for aid in self.attachments_by_container.pop(container_id, []):
            self.attachments.pop(aid, None)
            self._drop_labels(aid)
        for tid in self.tasks_by_container.pop(container_id, []):
            self.tasks.pop(tid, None)
        self._drop_labels(container_id)

    def _drop_labels(self, content_id: str) -> None:
        for lid in self.labels_by_content.pop(content_id, []):
            self.content_by_label.get(lid, {}).pop(content_id, None)

    # ---- blog posts ----------------------------------------------------------------------
    def create_blog_post(
        self,
        space_id: str,
        title: str,
        body: str | None = None,
        at: datetime | None = None,
        *,
        author_id: str | None = None,
    ) -> BlogPost:
        at = normalize_at(at)
        with self.lock:
            if space_id not in self.spaces:
                raise NotFound(f"no space {space_id}")
            author = self._actor(author_id)
            num = self.new_content_num()
            blog = BlogPost(
                id=str(num),
                space_id=space_id,
                title=title,
                status="current",
                author_id=author,
                created_at=at,
                version=Version(1, at, author),
                body=body,
                num=num,
            )
            self.blog_posts[blog.id] = blog
            self._changed()
            return blog

    def edit_blog_post(
        self,
        blog_post_id: str,
        title: str | None = None,
        body: str | None = None,
        minor_edit: bool = False,
        at: datetime | None = None,
        *,
        author_id: str | None = None,
        message: str = "",
    ) -> BlogPost:
        at = normalize_at(at)
        with self.lock:
            blog = self._blog(blog_post_id)
            self._new_version(blog, at, self._actor(author_id), minor_edit, message)
            if title is not None:
                blog.title = title
            if body is not None:
                blog.body = body
            elif blog.body is None:
                blog.body_rev = blog.version.number
            self._changed()
            return blog

    def _set_blog_status(self, blog_post_id: str, status: str, at: datetime | None, author_id: str | None) -> BlogPost:
        at = normalize_at(at)
        with self.lock:
            blog = self._blog(blog_post_id)
            blog.status = status
            self._new_version(blog, at, self._actor(author_id))
            self._changed()
            return blog

    def trash_blog_post(self, blog_post_id: str, at: datetime | None = None, *, author_id: str | None = None) -> BlogPost:
        return self._set_blog_status(blog_post_id, "trashed", at, author_id)

    def delete_blog_post(self, blog_post_id: str, at: datetime | None = None, *, author_id: str | None = None) -> BlogPost:
        return self._set_blog_status(blog_post_id, "deleted", at, author_id)

    def purge_blog_post(self, blog_post_id: str, at: datetime | None = None) -> None:
        with self.lock:
            self._blog(blog_post_id)
            del self.blog_posts[blog_post_id]
            self._purge_attached(blog_post_id)
            self._changed()

    # ---- comments ------------------------------------------------------------------------
    def add_comment(
        self,
        container_id: str,
        body: str,
        comment_type: str = "footer",
        parent_comment_id: str | None = None,
        inline_selection: str | None = None,
        at: datetime | None = None,
        *,
        author_id: str | None = None,
    ) -> Comment:
        if comment_type not in ("footer", "inline"):
            raise ValueError("comment_type must be 'footer' or 'inline'")
        at = normalize_at(at)
        with self.lock:
            container = self.container(container_id)
            author = self._actor(author_id)
            parent = None
            if parent_comment_id is not None:
                parent = self.comments.get(parent_comment_id)
                if parent is None:
                    raise NotFound(f"no comment {parent_comment_id}")
                if parent.container_id != container_id or parent.comment_type != comment_type:
                    raise ValueError("a reply must be on the same container and of the same type")
            num = self.new_content_num()
            comment = Comment(
                id=str(num),
                comment_type=comment_type,
                container_id=container_id,
                container_type="page" if isinstance(container, Page) else "blogpost",
                title="Re: " + container.title,
                status="current",
                created_at=at,
                version=Version(1, at, author),
                parent_comment_id=parent_comment_id,
                body=body,
                num=num,
                created_by=author,
            )
            if comment_type == "inline":
                if parent is not None:
                    comment.resolution_status = parent.resolution_status
                    comment.inline_marker_ref = parent.inline_marker_ref
                    comment.inline_original_selection = parent.inline_original_selection
                else:
                    comment.resolution_status = "open"
                    comment.inline_marker_ref = f"{num:08x}-0000-4000-8000-{num:012x}"
                    comment.inline_original_selection = inline_selection or container.title
            self.comments[comment.id] = comment
            self.comments_by_container.setdefault(container_id, []).append(comment.id)
            if comment_type == "inline" and parent is None:
                self.inline_roots_by_container.setdefault(container_id, []).append(comment.id)
            self._changed()
            return comment

    def _comment(self, comment_id: str) -> Comment:
        comment = self.comments.get(comment_id)
        if comment is None:
            raise NotFound(f"no comment {comment_id}")
        return comment

    def resolve_inline_comment(self, comment_id: str, at: datetime | None = None, *, by_account_id: str | None = None) -> Comment:
        at = normalize_at(at)
        with self.lock:
            comment = self._comment(comment_id)
            if comment.comment_type != "inline":
                raise ValueError("only inline comments can be resolved")
            comment.resolution_status = "resolved"
            comment.resolution_last_modifier_id = self._actor(by_account_id)
            comment.resolution_last_modified_at = at
            self._changed()
            return comment

    def edit_comment(self, comment_id: str, body: str, at: datetime | None = None, *,
                     author_id: str | None = None) -> Comment:
        at = normalize_at(at)
        with self.lock:
            comment = self._comment(comment_id)
            comment.body = body
            comment.body_rev += 1
            self._new_version(comment, at, self._actor(author_id))
            self._changed()
            return comment

    def trash_comment(self, comment_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Comment:
        at = normalize_at(at)
        with self.lock:
            comment = self._comment(comment_id)
            comment.status = "trashed"
            self._new_version(comment, at, self._actor(author_id))
            self._changed()
            return comment

    # ---- tasks ---------------------------------------------------------------------------
    def complete_task(self, task_id: str, by_account_id: str | None = None, at: datetime | None = None) -> Task:
        at = normalize_at(at)
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise NotFound(f"no task {task_id}")
            actor = self._actor(by_account_id)
            task.status = "complete"
            task.completed_by = actor
            task.completed_at = at
            task.updated_at = at
            container = self.container(task.container_id)
            if container.body is not None:
                container.body = _TASK_STATUS.sub(
                    lambda m: m.group(1) + ("complete" if m.group("id") == task.local_id else m.group(3)) + m.group(4),
                    container.body,
                )
            self._new_version(container, at, actor)
            self._changed()
            return task

    # ---- labels --------------------------------------------------------------------------
    def _labelled(self, content_id: str) -> str:
        """The key a label assignment is stored under; validates that the content exists."""
        if content_id in self.pages or content_id in self.blog_posts or content_id in self.spaces:
            return content_id
        return self.attachment(content_id).id

    def add_label(self, content_id: str, name: str, at: datetime | None = None, *, prefix: str = "global") -> Label:
        at = normalize_at(at)
        with self.lock:
            key = self._labelled(content_id)
            label = self.label_by_name(name)
            if label is None:
                self.next_label_id += 1
                num = self.next_label_id
                label = Label(id=str(num), name=name, prefix=prefix, created_at=at, num=num)
                self.labels[label.id] = label
                self.content_by_label[label.id] = {}
            assigned = self.labels_by_content.setdefault(key, [])
            if label.id not in assigned:
                assigned.append(label.id)
                self.content_by_label.setdefault(label.id, {})[key] = None
            self._changed()
            return label

    def remove_label(self, content_id: str, name: str, at: datetime | None = None) -> None:
        with self.lock:
            key = self._labelled(content_id)
            label = self.label_by_name(name)
            if label is None or label.id not in self.labels_by_content.get(key, ()):
                raise NotFound(f"{content_id} has no label {name!r}")
            self.labels_by_content[key].remove(label.id)
            self.content_by_label[label.id].pop(key, None)
            self._changed()

    # ---- attachments ---------------------------------------------------------------------
    def add_attachment(
        self,
        container_id: str,
        file_name: str,
        media_type: str,
        file_size: int,
        at: datetime | None = None,
        *,
        comment: str = "",
        author_id: str | None = None,
    ) -> Attachment:
        at = normalize_at(at)
        with self.lock:
            container = self.container(container_id)
            author = self._actor(author_id)
            num = self.new_content_num()
            att = Attachment(
                id=f"att{num}",
                container_id=container_id,
                container_type="page" if isinstance(container, Page) else "blogpost",
                title=file_name,
                status="current",
                media_type=media_type,
                media_type_description=describe_media_type(media_type),
                file_size=file_size,
                comment=comment,
                file_id=f"{num:08x}-f11e-4000-8000-{num:012x}",
                created_at=at,
                version=Version(1, at, author),
                num=num,
            )
            self.attachments[att.id] = att
            self.attachments_by_container.setdefault(container_id, []).append(att.id)
            self._changed()
            return att

    def trash_attachment(self, attachment_id: str, at: datetime | None = None, *, author_id: str | None = None) -> Attachment:
        at = normalize_at(at)
        with self.lock:
            att = self.attachment(attachment_id)
            att.status = "trashed"
            self._new_version(att, at, self._actor(author_id))
            self._changed()
            return att


MEDIA_TYPES = {
    "png": ("image/png", "PNG Image"),
    "jpg": ("image/jpeg", "JPEG Image"),
    "gif": ("image/gif", "GIF Image"),
    "svg": ("image/svg+xml", "SVG Image"),
    "pdf": ("application/pdf", "PDF Document"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Microsoft Word Document",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Microsoft Excel Spreadsheet",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Microsoft PowerPoint Presentation",
    ),
    "txt": ("text/plain", "Text File"),
    "csv": ("text/csv", "CSV File"),
    "json": ("application/json", "JSON File"),
    "zip": ("application/zip", "Zip Archive"),
    "mp4": ("video/mp4", "MP4 Video"),
}


def describe_media_type(media_type: str) -> str:
    for mt, description in MEDIA_TYPES.values():
        if mt == media_type:
            return description
    return "File"
