"""Pages (trees per space) and blog posts."""

from __future__ import annotations

from ..model import BlogPost, Page, Version, from_ms, to_ms
from .randomness import modified_time, version_count
from .vocabulary import BLOG_KINDS, COMMENT_MESSAGES, DAY, DOC_KINDS, T_END, TOPICS


class ContentSteps:
    """Pages (trees per space) and blog posts.

    A mixin of ``SiteBuilder``: its steps run in a fixed order on one random stream.
    """

    def _pages(self) -> None:
        """Pages in trees: a home page per space, a guaranteed chain, archived and trashed leaves."""
        rng, spec = self.rng, self.spec
        author = self.author
        spaces, register = self.spaces, self.register
        weights = [1.0 / (i + 1) ** 0.8 for i in range(spec.spaces)]
        if spec.spaces >= 4:
            weights[-1] = weights[-1] * 0.2
        counts = [1] * spec.spaces
        for s in rng.choices(range(spec.spaces), weights, k=spec.pages - spec.spaces):
            counts[s] += 1

        pages: list[Page] = []
        page_children: dict[int, list[int]] = {}  # index in `pages` -> child indices
        page_space: list[int] = []
        for s, space in enumerate(spaces):
            n = counts[s]
            start = to_ms(space.created_at) + 60_000
            times = sorted(start + 3_600_000 + int((T_END - 30 * DAY - start) * rng.random() ** 0.8) for _ in range(n - 1))
            times.insert(0, start)
            titles: set[str] = set()
            first = len(pages)
            for k in range(n):
                created = times[k]
                if k == 0:
                    title = f"{space.name} Home"
                    parent = None
                else:
                    topic = rng.choice(TOPICS)
                    kind = rng.choice(DOC_KINDS)
                    if kind in ("Meeting notes", "Retrospective"):
                        title = f"{from_ms(created):%Y-%m-%d} {kind} — {topic}"
                    else:
                        title = f"{kind}: {topic}".capitalize() if rng.random() < 0.2 else f"{topic.capitalize()} {kind.lower()}"
                    if k <= 4:
                        parent = first + k - 1  # a guaranteed chain so every tree is at least a few levels deep
                    elif rng.random() < 0.2:
                        parent = first
                    else:
                        parent = first + rng.randrange(k)
                base = title
                m = 2
                while title in titles:
                    title = f"{base} ({m})"
                    m += 1
                titles.add(title)
                versions = 1 if k == 0 and rng.random() < 0.5 else version_count(rng)
                modified = modified_time(rng, created, versions)
                page_author = author()
                page = Page(
                    id="",
                    space_id="",
                    title=title,
                    status="current",
                    parent_id=None,
                    position=None,
                    author_id=page_author,
                    owner_id=page_author if rng.random() < 0.9 else author(),
                    created_at=from_ms(created),
                    version=Version(
                        versions,
                        from_ms(modified),
                        page_author if versions == 1 else author(),
                        rng.choice(COMMENT_MESSAGES) if versions > 1 else "",
                        versions > 1 and rng.random() < 0.3,
                    ),
                    body_rev=versions,
                )
                idx = len(pages)
                pages.append(page)
                page_space.append(s)
                if parent is not None:
                    page_children.setdefault(parent, []).append(idx)
                    page.parent_id = parent  # index for now; replaced by the id below
                register(created, page)
            # archived and trashed pages are leaves so that the remaining tree stays connected
            for idx in range(first + 1, len(pages)):
                if idx in page_children:
                    continue
                r = rng.random()
                if r < 0.05:
                    pages[idx].status = "archived"
                elif r < 0.06:
                    pages[idx].status = "trashed"
        self.weights, self.pages, self.page_children, self.page_space = weights, pages, page_children, page_space

    def _blog_posts(self) -> None:
        """Blog posts, spread over spaces like pages."""
        rng, spec = self.rng, self.spec
        author = self.author
        spaces, weights, register = self.spaces, self.weights, self.register
        blogs: list[BlogPost] = []
        blog_space: list[int] = []
        for _ in range(spec.blog_posts):
            s = rng.choices(range(spec.spaces), weights)[0]
            start = to_ms(spaces[s].created_at) + DAY
            created = start + int((T_END - 7 * DAY - start) * rng.random() ** 0.7)
            versions = version_count(rng) if rng.random() < 0.5 else 1
            blog_author = author()
            title = f"{rng.choice(BLOG_KINDS)}: {rng.choice(TOPICS)} ({from_ms(created):%b %d, %Y})"
            blog = BlogPost(
                id="",
                space_id="",
                title=title,
                status="trashed" if rng.random() < 0.02 else "current",
                author_id=blog_author,
                created_at=from_ms(created),
                version=Version(
                    versions,
                    from_ms(modified_time(rng, created, versions)),
                    blog_author,
                    "",
                    versions > 1 and rng.random() < 0.3,
                ),
                body_rev=versions,
            )
            blogs.append(blog)
            blog_space.append(s)
            register(created, blog)
        self.blogs, self.blog_space = blogs, blog_space
