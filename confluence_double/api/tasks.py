"""Tasks: the site-wide list and its filters."""

from __future__ import annotations

from ..model import Task, to_ms
from .query import Call
from .wire import BODY_FORMATS, Response, encode_json


class TaskRoutes:
    """Tasks: the site-wide list and its filters.

    A mixin of ``CloudRoutes``: ``self.site``, ``self._list`` and the shapes come from its other bases.
    """

    def _h_tasks(self, call: Call) -> Response:
        q = call.query
        body_format = q.choice("body-format", BODY_FORMATS)
        include_blank = q.boolean("include-blank-tasks", True)
        status = q.choice("status", ("complete", "incomplete"))
        task_ids = frozenset(str(i) for i in q.ints("task-id", 250))
        space_ids = frozenset(str(i) for i in q.ints("space-id", 250))
        page_ids = frozenset(str(i) for i in q.ints("page-id", 250))
        blog_ids = frozenset(str(i) for i in q.ints("blogpost-id", 250))
        created_by = frozenset(q.many("created-by", 250))
        assigned_to = frozenset(q.many("assigned-to", 250))
        completed_by = frozenset(q.many("completed-by", 250))
        ranges = []
        for name, attr in (
            ("created-at", "created_at"),
            ("due-at", "due_at"),
            ("completed-at", "completed_at"),
        ):
            lo, hi = q.integer(name + "-from"), q.integer(name + "-to")
            if lo is not None or hi is not None:
                ranges.append((attr, lo, hi))
        limit = q.limit()
        site = self.site
        containers = page_ids | blog_ids
        if task_ids:
            scope: tuple = ("ids", task_ids)

            def candidates():
                return [site.tasks[i] for i in sorted(task_ids) if i in site.tasks]
        elif containers:
            scope = ("containers", page_ids, blog_ids)

            def candidates():
                out = []
                for cid in sorted(page_ids):
                    if cid in site.pages:
                        out.extend(site.tasks[t] for t in site.tasks_by_container.get(cid, ()))
                for cid in sorted(blog_ids):
                    if cid in site.blog_posts:
                        out.extend(site.tasks[t] for t in site.tasks_by_container.get(cid, ()))
                return out
        else:
            scope = ()

            def candidates():
                return site.tasks.values()

        def keep(t: Task) -> bool:
            if status is not None and t.status != status:
                return False
            if not include_blank and not t.body.strip():
                return False
            if space_ids and t.space_id not in space_ids:
                return False
            if created_by and t.created_by not in created_by:
                return False
            if assigned_to and t.assigned_to not in assigned_to:
                return False
            if completed_by and t.completed_by not in completed_by:
                return False
            for attr, lo, hi in ranges:
                value = getattr(t, attr)
                if value is None:
                    return False
                ms = to_ms(value)
                if (lo is not None and ms < lo) or (hi is not None and ms > hi):
                    return False
            return True

        return self._list(
            call,
            "tasks",
            scope,
            candidates,
            ("id", False),
            limit,
            keep,
            lambda t: encode_json(self._task_json(t, body_format)),
        )

