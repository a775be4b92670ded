"""Uploading a new version of an attachment's file (what a user does with "upload new version")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .clock import normalize_at
from .entities import Attachment
from .media import describe_media_type


class AttachmentUploads:
    """A mixin of ``Site``: the files of uploaded versions, by attachment id and version number.

    ``content`` is bytes or a ``files.StreamedBody`` (made while sent, never stored).
    """

    attachment_files: dict[str, dict[int, Any]]

    def upload_attachment_version(self, attachment_id: str, content: Any, at: datetime | None = None, *,
                                  media_type: str | None = None, author_id: str | None = None) -> Attachment:
        at = normalize_at(at)
        with self.lock:
            att: Attachment = self.attachment(attachment_id)
            self._new_version(att, at, self._actor(author_id))
            if media_type is not None:
                att.media_type = media_type
                att.media_type_description = describe_media_type(media_type)
            att.file_size = content.size if hasattr(content, "size") else len(content)
            self.attachment_files.setdefault(att.id, {})[att.version.number] = content
            self._changed()
            return att
