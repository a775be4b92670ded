"""Mutations of pages and blog posts: create, edit, move, trash, archive, delete, purge."""

from __future__ import annotations

from datetime import datetime

from .clock import normalize_at
from .entities import BlogPost, NotFound, Page, Version


class ContentMutations:
    """Mutations of pages and blog posts: create, edit, move, trash, archive, delete, purge.

    A mixin of ``Site``: the object maps, indices and ``_changed`` come from it.
    """

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
        self.decisions_by_container.pop(container_id, None)
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

