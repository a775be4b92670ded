"""JSON shapes of the v2 objects, as Confluence Cloud renders them."""

from __future__ import annotations

from urllib.parse import quote

from ..model import Attachment, BlogPost, Comment, Label, Page, Space, Task, User, iso, to_ms
from .wire import encode_json, tiny_link, title_slug


class Shapes:
    """JSON shapes of the v2 objects, as Confluence Cloud renders them.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    @staticmethod
    def _version(v) -> dict:
        return {
            "number": v.number,
            "message": v.message,
            "minorEdit": v.minor_edit,
            "authorId": v.author_id,
            "createdAt": iso(v.created_at),
        }

    def _body(self, obj, body_format: str | None) -> dict:
        if body_format == "storage":
            return {"storage": {"representation": "storage", "value": self.site.storage_body(obj)}}
        return {"atlas_doc_format": {"representation": "atlas_doc_format", "value": self.site.adf_body(obj)}}

    def _with_body(self, d: dict, obj, body_format: str | None) -> dict:
        """Adds the body (if asked for) right before _links, where Confluence puts it."""
        if body_format:
            links = d.pop("_links")
            d["body"] = self._body(obj, body_format)
            d["_links"] = links
        return d

    def _text_with_body(self, d: dict, obj, body_format: str | None) -> str:
        """Like ``encode_json(self._with_body(...))`` but splices the pre-escaped body in."""
        if body_format == "storage":
            value = self.site.storage_body_json(obj)
        elif body_format == "atlas_doc_format":
            value = self.site.adf_body_json(obj)
        else:
            return encode_json(d)
        links = d.pop("_links")
        body = f'{{"{body_format}":{{"representation":"{body_format}","value":"{value}"}}}}'
        return encode_json(d)[:-1] + ',"body":' + body + ',"_links":' + encode_json(links) + "}"

    def _space_key(self, space_id: str) -> str:
        space = self.site.spaces.get(space_id)
        return space.key if space is not None else ""

    def _content_webui(self, obj: Page | BlogPost) -> str:
        key = self._space_key(obj.space_id)
        slug = title_slug(obj.title)
        if isinstance(obj, BlogPost):
            return f"/spaces/{key}/blog/{obj.created_at:%Y/%m/%d}/{obj.id}/{slug}"
        return f"/spaces/{key}/pages/{obj.id}/{slug}"

    def _page_json(self, p: Page) -> dict:
        d = {
            "id": p.id,
            "status": p.status,
            "title": p.title,
            "spaceId": p.space_id,
            "parentId": p.parent_id,
            "parentType": self.site.parent_type_of(p.parent_id),
            "position": p.position,
            "authorId": p.author_id,
            "ownerId": p.owner_id,
            "lastOwnerId": p.last_owner_id,
            "createdAt": iso(p.created_at),
            "version": self._version(p.version),
        }
        d["_links"] = {
            "editui": f"/pages/resumedraft.action?draftId={p.id}",
            "webui": self._content_webui(p),
            "tinyui": tiny_link(p.num),
        }
        return d

    def _blog_json(self, b: BlogPost) -> dict:
        d = {
            "id": b.id,
            "status": b.status,
            "title": b.title,
            "spaceId": b.space_id,
            "authorId": b.author_id,
            "createdAt": iso(b.created_at),
            "version": self._version(b.version),
        }
        d["_links"] = {
            "editui": f"/pages/resumedraft.action?draftId={b.id}",
            "webui": self._content_webui(b),
            "tinyui": tiny_link(b.num),
        }
        return d

    def _comment_json(self, c: Comment) -> dict:
        d: dict = {"id": c.id, "status": c.status, "title": c.title}
        d["pageId" if c.container_type == "page" else "blogPostId"] = c.container_id
        if c.parent_comment_id is not None:
            d["parentCommentId"] = c.parent_comment_id
        d["version"] = self._version(c.version)
        if c.comment_type == "inline":
            d["resolutionLastModifierId"] = c.resolution_last_modifier_id
            d["resolutionLastModifiedAt"] = (
                iso(c.resolution_last_modified_at) if c.resolution_last_modified_at is not None else None
            )
            d["resolutionStatus"] = c.resolution_status
            d["properties"] = {
                "inlineMarkerRef": c.inline_marker_ref,
                "inlineOriginalSelection": c.inline_original_selection,
                "inline-marker-ref": c.inline_marker_ref,
                "inline-original-selection": c.inline_original_selection,
            }
        container = self.site.pages.get(c.container_id) or self.site.blog_posts.get(c.container_id)
        webui = self._content_webui(container) if container is not None else ""
        d["_links"] = {"webui": f"{webui}?focusedCommentId={c.id}#comment-{c.id}"}
        return d

    def _task_json(self, t: Task, body_format: str | None) -> dict:
        d: dict = {"id": t.id, "localId": t.local_id, "spaceId": t.space_id}
        d["pageId" if t.container_type == "page" else "blogPostId"] = t.container_id
        d["status"] = t.status
        if body_format == "storage":
            d["body"] = {"storage": {"representation": "storage", "value": t.body}}
        elif body_format:
            from .bodies import adf_from_storage

            d["body"] = {"atlas_doc_format": {"representation": "atlas_doc_format", "value": adf_from_storage(t.body)}}
        d["createdBy"] = t.created_by
        if t.assigned_to is not None:
            d["assignedTo"] = t.assigned_to
        if t.completed_by is not None:
            d["completedBy"] = t.completed_by
        d["createdAt"] = iso(t.created_at)
        d["updatedAt"] = iso(t.updated_at)
        if t.due_at is not None:
            d["dueAt"] = iso(t.due_at)
        if t.completed_at is not None:
            d["completedAt"] = iso(t.completed_at)
        return d

    @staticmethod
    def _label_json(lb: Label) -> dict:
        return {"id": lb.id, "name": lb.name, "prefix": lb.prefix}

    def _attachment_json(self, a: Attachment) -> dict:
        container = self.site.pages.get(a.container_id) or self.site.blog_posts.get(a.container_id)
        container_webui = self._content_webui(container) if container is not None else ""
        file_q = quote(a.title)
        webui = f"{container_webui}?preview=%2F{a.container_id}%2F{a.num}%2F{file_q}"
        download = (
            f"/download/attachments/{a.container_id}/{file_q}?version={a.version.number}"
            f"&modificationDate={to_ms(a.version.created_at)}&cacheVersion=1&api=v2"
        )
        d: dict = {"id": a.id, "status": a.status, "title": a.title, "createdAt": iso(a.created_at)}
        d["pageId" if a.container_type == "page" else "blogPostId"] = a.container_id
        d.update(
            {
                "mediaType": a.media_type,
                "mediaTypeDescription": a.media_type_description,
                "comment": a.comment,
                "fileId": a.file_id,
                "fileSize": a.file_size,
                "webuiLink": webui,
                "downloadLink": download,
                "version": self._version(a.version),
                "_links": {"webui": webui, "download": download},
            }
        )
        return d

    def _space_json(self, s: Space, description_format: str | None, include_icon: bool) -> dict:
        d: dict = {
            "id": s.id,
            "key": s.key,
            "name": s.name,
            "type": s.type,
            "status": s.status,
            "authorId": s.author_id,
            "createdAt": iso(s.created_at),
        }
        if s.homepage_id is not None:
            d["homepageId"] = s.homepage_id
        if description_format == "plain":
            d["description"] = {"plain": {"representation": "plain", "value": s.description}}
        elif description_format == "view":
            value = "<p>" + s.description.replace("&", "&amp;").replace("<", "&lt;") + "</p>"
            d["description"] = {"view": {"representation": "view", "value": value}}
        if include_icon:
            path = f"/wiki/download/attachments/{s.id}/{s.key}?version=1&api=v2"
            d["icon"] = {"path": path, "apiDownloadLink": f"/wiki/rest/api/space/{s.key}/icon"}
        d["_links"] = {"webui": f"/spaces/{s.key}"}
        return d

    @staticmethod
    def _user_json(u: User) -> dict:
        d: dict = {
            "accountId": u.account_id,
            "accountType": u.account_type,
            "accountStatus": u.account_status,
            "email": u.email,
            "publicName": u.public_name,
            "displayName": u.display_name,
            "timeZone": u.time_zone,
            "isExternalCollaborator": False,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{u.account_id}",
                "isDefault": u.account_type == "app",
            },
        }
        if u.personal_space_id is not None:
            d["personalSpaceId"] = u.personal_space_id
        return d

