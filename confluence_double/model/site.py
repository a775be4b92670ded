"""The site: its objects, the indices the mutations keep in step, lookups and id allocation."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..bodies import BodyFactory
from .access import AccessMutations, Folder, Principal
from .attached_mutations import AttachedMutations
from .content_mutations import ContentMutations
from .decisions import Decision, DecisionMutations
from .entities import Attachment, BlogPost, Comment, Label, NotFound, Page, SiteSpec, Space, Task, User, Version
from .history import VersionHistory
from .permissions import SiteAccess
from .rendering import BodyRendering
from .uploads import AttachmentUploads
from .views import ViewMutations


@dataclass(eq=False)
class Site(BodyRendering, ContentMutations, AttachedMutations, AccessMutations, DecisionMutations, ViewMutations,
           AttachmentUploads):
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
    folders: dict[str, Folder] = field(default_factory=dict)
    restrictions: dict[str, dict[str, list[Principal]]] = field(default_factory=dict)  # content id -> operation -> who
    # indices, kept in step by the mutations
    children: dict[str, list[str]] = field(default_factory=dict)
    comments_by_container: dict[str, list[str]] = field(default_factory=dict)
    inline_roots_by_container: dict[str, list[str]] = field(default_factory=dict)  # their markers are in the body
    attachments_by_container: dict[str, list[str]] = field(default_factory=dict)
    tasks_by_container: dict[str, list[str]] = field(default_factory=dict)
    attachment_files: dict[str, dict[int, Any]] = field(default_factory=dict)  # uploaded versions (uploads.py)
    labels_by_content: dict[str, list[str]] = field(default_factory=dict)
    decisions_by_container: dict[str, list[Decision]] = field(default_factory=dict)
    view_events: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    content_by_label: dict[str, dict[str, None]] = field(default_factory=dict)
    bodies: BodyFactory | None = None
    access: SiteAccess = field(default_factory=SiteAccess)  # groups, audit log, space permissions
    next_content_id: int = 0
    next_task_id: int = 0
    next_label_id: int = 0
    history: VersionHistory = field(default_factory=VersionHistory)
    next_decision_id: int = 0
    unindexed: set[str] = field(default_factory=set)  # content ids the Cloud v1 search misses (index lag)
    embedded_label_limit: int = 200  # labels per result the Cloud v1 search embeds (`expand=metadata.labels`)

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

    def versions_of(self, obj) -> list[Version]:
        """Every version of a page, blog post, comment or attachment, oldest first (see history)."""
        return self.history.versions(obj, sorted(self.users))

    def _new_version(self, obj, at: datetime, author: str, minor_edit: bool = False, message: str = "") -> None:
        self.history.before_new_version(obj, sorted(self.users))
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

