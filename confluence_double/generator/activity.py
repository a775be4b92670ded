"""Footer and inline comments (with replies and resolutions) and attachments."""

from __future__ import annotations

import math

from ..bodies import WORDS
from ..model import MEDIA_TYPES, Attachment, Comment, Version, from_ms, to_ms
from .randomness import modified_time, random_uuid
from .vocabulary import FILE_KINDS, FILE_STEMS, SELECTIONS


class ActivitySteps:
    """Footer and inline comments (with replies and resolutions) and attachments.

    A mixin of ``SiteBuilder``: its steps run in a fixed order on one random stream.
    """

    def _comments(self) -> None:
        """Comments on popular containers, replies under earlier roots, inline resolutions."""
        rng, spec = self.rng, self.spec
        author = self.author
        containers, pages, register, after = self.containers, self.pages, self.register, self.after
        pick_container = self.pick_container
        by_container: dict[int, list[tuple[int, str]]] = {}
        for kind, total in (("footer", spec.footer_comments), ("inline", spec.inline_comments)):
            for _ in range(total):
                by_container.setdefault(pick_container(), []).append((0, kind))
        comments: list[Comment] = []
        comment_container: list[int] = []
        for ci in sorted(by_container):
            container = containers[ci]
            c_created = to_ms(container.created_at)
            entries = sorted((after(c_created), kind) for _, kind in by_container[ci])
            roots: dict[str, list[Comment]] = {"footer": [], "inline": []}
            for created, kind in entries:
                versions = 1 if rng.random() < 0.85 else rng.randint(2, 3)
                comment_author = author()
                comment = Comment(
                    id="",
                    comment_type=kind,
                    container_id="",
                    container_type="page" if ci < len(pages) else "blogpost",
                    title="Re: " + container.title,
                    status="current",
                    created_at=from_ms(created),
                    version=Version(versions, from_ms(modified_time(rng, created, versions)), comment_author),
                    body_rev=versions,
                    created_by=comment_author,
                )
                parent = None
                if roots[kind] and rng.random() < (0.3 if kind == "footer" else 0.15):
                    parent = rng.choice(roots[kind])
                    comment.parent_comment_id = parent  # object for now; replaced by its id below
                if kind == "inline":
                    if parent is not None:
                        comment.resolution_status = parent.resolution_status
                        comment.inline_marker_ref = parent.inline_marker_ref
                        comment.inline_original_selection = parent.inline_original_selection
                    else:
                        r = rng.random()
                        comment.resolution_status = (
                            "resolved" if r < 0.55 else "open" if r < 0.95 else "reopened" if r < 0.98 else "dangling"
                        )
                        comment.inline_marker_ref = random_uuid(rng)
                        comment.inline_original_selection = rng.choice(SELECTIONS)
                    if comment.resolution_status in ("resolved", "reopened", "dangling"):
                        comment.resolution_last_modifier_id = author()
                        comment.resolution_last_modified_at = from_ms(after(created, 3.0))
                if parent is None:
                    roots[kind].append(comment)
                comments.append(comment)
                comment_container.append(ci)
                register(created, comment)
        self.comments, self.comment_container = comments, comment_container

    def _attachments(self) -> None:
        """Attachments with unique names per container and log-normal sizes."""
        rng, spec = self.rng, self.spec
        author = self.author
        containers, pages, register, after = self.containers, self.pages, self.register, self.after
        pick_container = self.pick_container
        file_kinds = [k for k, _ in FILE_KINDS]
        file_weights = [w for _, w in FILE_KINDS]
        attachments: list[Attachment] = []
        att_container: list[int] = []
        names_used: dict[int, set[str]] = {}
        for _ in range(spec.attachments):
            ci = pick_container()
            container = containers[ci]
            ext = rng.choices(file_kinds, file_weights)[0]
            used = names_used.setdefault(ci, set())
            name = f"{rng.choice(FILE_STEMS)}-{rng.randint(1, 99)}.{ext}"
            while name in used:
                name = f"{rng.choice(FILE_STEMS)}-{rng.randint(100, 99_999)}.{ext}"
            used.add(name)
            media_type, description = MEDIA_TYPES[ext]
            created = after(to_ms(container.created_at), 2.5)
            versions = 1 if rng.random() < 0.8 else rng.randint(2, 5)
            size = int(min(200_000_000, max(120, math.exp(rng.gauss(11.0, 1.8)))))
            att = Attachment(
                id="",
                container_id="",
                container_type="page" if ci < len(pages) else "blogpost",
                title=name,
                status="current",
                media_type=media_type,
                media_type_description=description,
                file_size=size,
                comment="" if rng.random() < 0.6 else f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} v{versions}",
                file_id=random_uuid(rng),
                created_at=from_ms(created),
                version=Version(versions, from_ms(modified_time(rng, created, versions)), author(), "", False),
            )
            attachments.append(att)
            att_container.append(ci)
            register(created, att)
        self.attachments, self.att_container = attachments, att_container
