"""Mutations of what hangs off content: comments, tasks, labels, attachments."""

from __future__ import annotations

import re
from datetime import datetime

from .clock import normalize_at
from .entities import Attachment, Comment, Label, NotFound, Page, Task, Version
from .media import describe_media_type

_TASK_STATUS = re.compile(r"(<ac:task-id>(?P<id>[^<]*)</ac:task-id>\s*<ac:task-status>)(incomplete|complete)(</ac:task-status>)")


class AttachedMutations:
    """Mutations of what hangs off content: comments, tasks, labels, attachments.

    A mixin of ``Site``: the object maps, indices and ``_changed`` come from it.
    """

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

    def remove_task(self, task_id: str, by_account_id: str | None = None, at: datetime | None = None) -> None:
        """The task is deleted from its container's body: the container gets a new version."""
        at = normalize_at(at)
        with self.lock:
            task = self.tasks.pop(task_id, None)
            if task is None:
                raise NotFound(f"no task {task_id}")
            container = self.container(task.container_id)
            if container.body is not None:
                raise ValueError(f"{container.id} has a hand-written body: its tasks are in that body")
            self.tasks_by_container[task.container_id].remove(task_id)
            self._new_version(container, at, self._actor(by_account_id))
            self._changed()

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
