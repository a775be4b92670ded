"""Bodies of pages, blog posts and comments in storage and ADF, built on demand from their seeds."""

from __future__ import annotations

import json

from ..bodies import (
    DynamicParts,
    adf_from_storage,
    adf_of,
    decision_block,
    images_block,
    markers_block,
    storage_json_of,
    storage_of,
    task_list_block,
)
from .entities import BlogPost, Comment, Page

NO_DYNAMIC_PARTS = DynamicParts(tasks=None, markers=None, images=None)


class BodyRendering:
    """Bodies of pages, blog posts and comments in storage and ADF, built on demand from their seeds.

    A mixin of ``Site``: the object maps, indices and ``_changed`` come from it.
    """

    # ---- bodies --------------------------------------------------------------------------
    def _dynamic_parts(self, obj: Page | BlogPost) -> DynamicParts:
        task_ids = self.tasks_by_container.get(obj.id, ())
        roots = self.inline_roots_by_container.get(obj.id, ())
        attachment_ids = self.attachments_by_container.get(obj.id, ())
        decisions = self.decisions_by_container.get(obj.id, ())
        if not (task_ids or roots or attachment_ids or decisions):
            return NO_DYNAMIC_PARTS  # most bodies: skip building anything
        tasks = None
        if task_ids:
            rows = []
            for tid in task_ids:
                t = self.tasks[tid]
                rows.append((t.local_id, t.status == "complete", t.body))
            tasks = task_list_block(rows)
        markers = None
        refs = []
        for cid in roots:
            c = self.comments[cid]
            if c.status == "current" and c.resolution_status != "dangling" and c.inline_marker_ref:
                refs.append((c.inline_marker_ref, c.inline_original_selection or ""))
        if refs:
            markers = markers_block(refs)
        images = None
        shown = []
        for aid in attachment_ids:
            a = self.attachments[aid]
            # Only images that existed when this version was saved appear in the body.
            if a.media_type.startswith("image/") and a.status == "current" and a.created_at <= obj.version.created_at:
                shown.append((a.title, a.file_id, obj.id))
        if shown:
            images = images_block(shown[:4])
        decided = decision_block([(d.local_id, d.decided, d.body, d.legacy) for d in decisions]) if decisions else None
        return DynamicParts(tasks=tasks, markers=markers, images=images, decisions=decided)

    def storage_body(self, obj: Page | BlogPost | Comment) -> str:
        if obj.body is not None:
            return obj.body
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return storage_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return storage_of(self.bodies.content_blocks(obj.num, obj.body_rev, self._dynamic_parts(obj)))

    def storage_body_json(self, obj: Page | BlogPost | Comment) -> str:
        """``storage_body`` escaped as JSON string content (without the quotes)."""
        if obj.body is not None:
            return json.dumps(obj.body)[1:-1]
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return storage_json_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return self.bodies.content_storage_json(obj.num, obj.body_rev, self._dynamic_parts(obj))

    def adf_body_json(self, obj: Page | BlogPost | Comment) -> str:
        """``adf_body`` escaped as JSON string content (without the quotes)."""
        if obj.body is None and not isinstance(obj, Comment):
            assert self.bodies is not None
            return self.bodies.content_adf_escaped(obj.num, obj.body_rev, self._dynamic_parts(obj))
        return json.dumps(self.adf_body(obj))[1:-1]

    def adf_body(self, obj: Page | BlogPost | Comment) -> str:
        if obj.body is not None:
            return adf_from_storage(obj.body)
        assert self.bodies is not None
        if isinstance(obj, Comment):
            return adf_of(self.bodies.comment_blocks(obj.num, obj.body_rev))
        return adf_of(self.bodies.content_blocks(obj.num, obj.body_rev, self._dynamic_parts(obj)))

