"""The site builder: shared state and helpers of the generation steps, and their order."""

from __future__ import annotations

import random

from ..model import BlogPost, Page, Site, SiteSpec
from .activity import ActivitySteps
from .annotations import AnnotationSteps
from .content import ContentSteps
from .decisions import add_decisions
from .identity import IdentitySteps
from .people import PeopleAndSpaces
from .permissions import build_access
from .vocabulary import T_END


class SiteBuilder(PeopleAndSpaces, ContentSteps, ActivitySteps, IdentitySteps, AnnotationSteps):
    """Builds one site. The steps consume one ``random.Random(seed)`` in the order of ``build``:
    changing the order (or a step's draws) changes every site generated from a given seed."""

    def __init__(self, spec: SiteSpec) -> None:
        if spec.users < 1:
            raise ValueError("a site needs at least one user")
        if spec.spaces < 1 or spec.pages < spec.spaces:
            raise ValueError("a site needs at least one space and one page (the home page) per space")
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.site = Site(spec=spec)
        self.content_items: list[tuple[int, int, object]] = []  # (created ms, order, object) for id assignment

    def build(self) -> Site:
        self._users()
        self._spaces()
        self._pages()
        self._blog_posts()
        self._activity_targets()
        self._comments()
        self._attachments()
        self._assign_ids()
        self._tasks()
        self._labels()
        self._bodies()
        build_access(self.site)  # its own random stream: the steps above are unchanged
        add_decisions(self.site, self.pages, self.blogs)
        return self.site

    def register(self, created: int, obj: object) -> None:
        self.content_items.append((created, len(self.content_items), obj))

    def author(self) -> str:
        return self.users[self.author_picker.pick(self.rng)].account_id

    def _activity_targets(self) -> None:
        """Comments, attachments and tasks land on a shuffled popularity order of pages and blog posts."""
        rng = self.rng
        self.containers: list[Page | BlogPost] = list(self.pages) + list(self.blogs)
        self.popularity = list(range(len(self.pages)))
        rng.shuffle(self.popularity)
        self.blog_popularity = list(range(len(self.blogs)))
        rng.shuffle(self.blog_popularity)

    def pick_container(self) -> int:
        """Index into ``containers``: mostly pages, a few popular items get most activity."""
        rng, pages, blogs = self.rng, self.pages, self.blogs
        if blogs and (not pages or rng.random() < 0.15):
            return len(pages) + self.blog_popularity[int(len(blogs) * rng.random() ** 2.5)]
        return self.popularity[int(len(pages) * rng.random() ** 2.5)]

    def after(self, created: int, skew: float = 2.0) -> int:
        return created + 60_000 + int((T_END - created - 60_000) * self.rng.random() ** skew)
