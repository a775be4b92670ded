"""Users, spaces and content in the v1 shapes, times in the server's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..api.wire import tiny_link, title_slug
from ..model import Attachment, BlogPost, Comment, Page, Space, to_ms
from ..restriction_shapes import dc_group, expanded, wants_restrictions
from .wire import ANONYMOUS, MENTION, REST, ApiError, Content, V1Query


class V1Shapes:
    """Users, spaces and content in the v1 shapes, times in the server's zone.

    A mixin of ``DataCenterRoutes``: ``self.site``, ``self.zone``, the user maps come from it.
    """

    # -- users ----------------------------------------------------------------------------------
    def user_json(self, account_id: str | None) -> dict[str, Any]:
        user = self.site.users.get(account_id or "")
        if user is None:
            return {"type": "anonymous", "displayName": "Anonymous",
                    "profilePicture": {"path": f"{self.context}/images/icons/profilepics/anonymous.svg", "width": 48,
                                       "height": 48, "isDefault": True}}
        key = self.keys[user.account_id]
        return {
            "type": "known",
            "username": self.usernames[user.account_id],
            "userKey": key,
            "profilePicture": {"path": f"{self.context}/images/icons/profilepics/default.svg", "width": 48,
                               "height": 48, "isDefault": True},
            "displayName": user.display_name,
            "_links": {"self": f"{self.base_url}{REST}/user?key={key}"},
            "_expandable": {"status": ""},
        }

    def _current_user(self, session: Any) -> dict[str, Any]:
        return self.user_json(None if session is ANONYMOUS else session.account_id)

    def _user_lookup(self, query: V1Query) -> dict[str, Any]:
        key, username = query.one("key"), query.one("username")
        account_id = self.by_key.get(key or "") if key else self.by_username.get(username or "")
        if account_id is None:
            raise ApiError(404, "No user with the given key or username")
        return self.user_json(account_id)

    # -- shapes ---------------------------------------------------------------------------------
    def when(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).isoformat(timespec="milliseconds")

    def body(self, obj: Page | BlogPost | Comment) -> str:
        """The storage body with Data Center mentions (user keys instead of account ids)."""
        return MENTION.sub(lambda m: f'ri:userkey="{self.keys.get(m.group(1), m.group(1))}"', self.site.storage_body(obj))

    def webui(self, obj: Content) -> str:
        if isinstance(obj, Comment):
            container = self._container(obj)
            page_ui = self.webui(container) if container is not None else ""
            return f"{page_ui}?focusedCommentId={obj.id}#comment-{obj.id}"
        if isinstance(obj, Attachment):
            return (f"/pages/viewpageattachments.action?pageId={obj.container_id}"
                    f"&preview=%2F{obj.container_id}%2F{obj.num}%2F{quote(obj.title)}")
        key = self._space(obj).key
        if isinstance(obj, BlogPost):
            return f"/display/{key}/{obj.created_at.astimezone(self.zone):%Y/%m/%d}/{title_slug(obj.title)}"
        return f"/display/{key}/{title_slug(obj.title)}"

    def _space(self, obj: Content) -> Space:
        if isinstance(obj, Page | BlogPost):
            return self.site.spaces[obj.space_id]
        container = self._container(obj)
        return self.site.spaces[container.space_id] if container is not None else next(iter(self.site.spaces.values()))

    def _container(self, obj: Comment | Attachment) -> Page | BlogPost | None:
        return self.site.pages.get(obj.container_id) or self.site.blog_posts.get(obj.container_id)

    @staticmethod
    def kind(obj: Content) -> str:
        return {Page: "page", BlogPost: "blogpost", Comment: "comment", Attachment: "attachment"}[type(obj)]

    def _brief(self, obj: Content) -> dict[str, Any]:
        return {"id": obj.id, "type": self.kind(obj), "status": obj.status, "title": obj.title,
                "_links": {"webui": self.webui(obj), "self": f"{self.base_url}{REST}/content/{obj.id}"},
                "_expandable": {}}

    def space_json(self, space: Space, expand: frozenset[str] = frozenset()) -> dict[str, Any]:
        d: dict[str, Any] = {"id": int(space.id), "key": space.key, "name": space.name, "type": space.type,
                             "status": space.status}
        if "description.plain" in expand:
            d["description"] = {"plain": {"value": space.description, "representation": "plain", "embeddedContent": []},
                                "_expandable": {"view": ""}}
        if "homepage" in expand and space.homepage_id in self.site.pages:
            d["homepage"] = self._brief(self.site.pages[space.homepage_id])
        if "metadata.labels" in expand:
            d["metadata"] = {"labels": self._labels(space.id), "_expandable": {}}
        d["_links"] = {"webui": f"/display/{space.key}", "self": f"{self.base_url}{REST}/space/{space.key}"}
        d["_expandable"] = {name: "" for name in ("settings", "metadata", "operations", "lookAndFeel", "permissions",
                                                  "icon", "description", "theme", "history", "homepage")
                            if not any(e.split(".")[0] == name for e in expand)}
        return d

    def _labels(self, content_id: str) -> dict[str, Any]:
        labels = self.site.labels_of(content_id)
        return {"results": [{"prefix": lb.prefix, "name": lb.name, "id": lb.id, "label": lb.name} for lb in labels],
                "start": 0, "limit": 200, "size": len(labels), "_links": {}}

    def content_json(self, obj: Content, expand: frozenset[str]) -> dict[str, Any]:
        d = self._brief(obj)
        d.pop("_expandable")
        version = obj.version
        if "space" in expand:
            d["space"] = self.space_json(self._space(obj))
        if "history" in expand:
            creator = obj.author_id if isinstance(obj, Page | BlogPost) else version.author_id if version.number == 1 else None
            d["history"] = {"latest": True, "createdBy": self.user_json(creator),
                            "createdDate": self.when(obj.created_at),
                            "_links": {"self": f"{self.base_url}{REST}/content/{obj.id}/history"},
                            "_expandable": {"lastUpdated": "", "previousVersion": "", "contributors": "", "nextVersion": ""}}
        if "version" in expand:
            d["version"] = {"by": self.user_json(version.author_id), "when": self.when(version.created_at),
                            "message": version.message, "number": version.number, "minorEdit": version.minor_edit,
                            "_links": {"self": f"{self.base_url}{REST}/content/{obj.id}/version/{version.number}"}}
        if "ancestors" in expand:
            d["ancestors"] = [self._brief(a) for a in self._ancestors(obj)]
        if "container" in expand:
            container = self._container(obj) if isinstance(obj, Comment | Attachment) else None
            d["container"] = self._brief(container) if container is not None else self.space_json(self._space(obj))
        if "body.storage" in expand and not isinstance(obj, Attachment):
            d["body"] = {"storage": {"value": self.body(obj), "representation": "storage",
                                     "_expandable": {"content": f"{REST}/content/{obj.id}"}},
                         "_expandable": {"editor": "", "view": "", "export_view": "", "styled_view": ""}}
        if "metadata.labels" in expand or "metadata" in expand:
            metadata: dict[str, Any] = {"labels": self._labels(obj.id), "_expandable": {}}
            if isinstance(obj, Attachment):
                metadata.update({"mediaType": obj.media_type, "comment": obj.comment})
            d["metadata"] = metadata
        d["extensions"] = self._extensions(obj, expand)
        if isinstance(obj, Attachment):
            d["_links"]["download"] = (f"/download/attachments/{obj.container_id}/{quote(obj.title)}"
                                       f"?version={version.number}&modificationDate={to_ms(version.created_at)}&api=v2")
        else:
            d["_links"]["tinyui"] = tiny_link(obj.num)
        if wants_restrictions(expand) and isinstance(obj, Page | BlogPost):
            d["restrictions"] = expanded(self.site, obj.id, expand, self.user_json, dc_group)
        d["_expandable"] = {name: "" for name in ("container", "metadata", "operations", "children", "restrictions",
                                                  "history", "ancestors", "body", "version", "descendants", "space")
                            if not any(e.split(".")[0] == name for e in expand)}
        return d

    def _ancestors(self, obj: Content) -> list[Content]:
        chain: list[Content] = []
        if isinstance(obj, Page):
            parent = self.site.pages.get(obj.parent_id or "")
            while parent is not None and len(chain) < 100:
                chain.insert(0, parent)
                parent = self.site.pages.get(parent.parent_id or "")
        elif isinstance(obj, Comment) and obj.parent_comment_id:
            parent_comment = self.site.comments.get(obj.parent_comment_id)
            if parent_comment is not None:
                chain.append(parent_comment)
        return chain

    def _extensions(self, obj: Content, expand: frozenset[str]) -> dict[str, Any]:
        if isinstance(obj, Page):
            return {"position": obj.position if obj.position is not None else "none"}
        if isinstance(obj, Attachment):
            return {"mediaType": obj.media_type, "fileSize": obj.file_size, "comment": obj.comment}
        if not isinstance(obj, Comment):
            return {}
        out: dict[str, Any] = {"location": obj.comment_type}
        if obj.comment_type == "inline":
            if "extensions.inlineProperties" in expand:
                out["inlineProperties"] = {"markerRef": obj.inline_marker_ref,
                                           "originalSelection": obj.inline_original_selection}
            if "extensions.resolution" in expand:
                resolution: dict[str, Any] = {"status": obj.resolution_status}
                if obj.resolution_last_modified_at is not None:
                    resolution["lastModifier"] = self.user_json(obj.resolution_last_modifier_id)
                    resolution["lastModifiedDate"] = self.when(obj.resolution_last_modified_at)
                out["resolution"] = resolution
        return out

