"""The objects of a site: each keeps only its current version (and comments their first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    folders: int = 0  # folders per space, nested (Cloud); 0 keeps every page in the page tree
    restricted: int = 0  # pages and blog posts given read/update restrictions
    views_per_content: int = 40
    """The most views a page or blog post gets at generation (analytics, Cloud)."""


class NotFound(KeyError):
    """Raised by mutations given an id the site does not hold."""

