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
- ``remove_task``, ``add_decision``, ``decide`` and ``remove_decision`` edit the body of the page or
  blog post: it gets a new version. ``view_content`` makes no version (views move the analytics only).
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

from .access import Folder, Principal
from .clock import from_ms, iso, normalize_at, to_ms
from .entities import Attachment, BlogPost, Comment, Label, NotFound, Page, SiteSpec, Space, Task, User, Version
from .media import MEDIA_TYPES, describe_media_type
from .site import Site

__all__ = [
    "MEDIA_TYPES",
    "Attachment",
    "BlogPost",
    "Folder",
    "Principal",
    "Comment",
    "Label",
    "NotFound",
    "Page",
    "Site",
    "SiteSpec",
    "Space",
    "Task",
    "User",
    "Version",
    "describe_media_type",
    "from_ms",
    "iso",
    "normalize_at",
    "to_ms",
]
