"""Expected rows of the ten dbt marts, computed from the Confluence double's site model alone.

Nothing here reads the warehouse or the connector's records: every value comes from the in-memory
``Site``, what the scenario's syncs read of it (``sync_history``) and the rules documented in
``dbt_project/models/docs/marts.md`` and the marts' YAML. Where the connector's documented behaviour
decides what lands in the warehouse, the view of the site is narrowed the same way; each such place
says so.

Timestamps are returned as naive UTC ``datetime`` (what DuckDB hands back for the marts' columns),
ratios as ``Decimal`` rounded half-up to 4 places (``confluence_safe_ratio``).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from confluence_double import BlogPost, Comment, Page, Site, Task
from integration_tests.sync_history import (
    Content,
    FirstSync,
    Landed,
    Seen,
    comment_created_at,
    content_type_of,
    naive,
)

__all__ = ["FirstSync", "Landed", "MartTruth", "Window", "naive"]

PERIODS = ("week", "month")
CONTENT_TYPES = ("page", "blogpost")

Row = dict[str, Any]


# ---- small helpers -------------------------------------------------------------------------


def period_start(period: str, moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    if period == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    return day.replace(day=1)


def next_period(period: str, start: date) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """confluence_safe_ratio: rounded to 4 decimals (half away from zero), null on a zero denominator."""
    if denominator == 0:
        return None
    return round_4(Fraction(numerator, denominator))


def round_4(value: Fraction) -> Decimal:
    scaled = value * 10_000
    rounded = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # half up, value >= 0
    return Decimal(rounded) / Decimal(10_000)


def record_time(value: datetime | str) -> datetime:
    """A stream record's timestamp (ISO-8601 `...Z` text, or an aware datetime) as naive UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return naive(moment)


def task_phrase(task: Task) -> str:
    """The plain words a task starts with (its body before any mention or date), unescaped."""
    return html.unescape(re.split(r"<", task.body, maxsplit=1)[0]).strip()


@dataclass(frozen=True)
class Window:
    """Wall-clock span (naive UTC) of one sync round; loads made in it are stamped inside it."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment <= self.end


# ---- the marts -------------------------------------------------------------------------------


@dataclass
class MartTruth:
    """Each method returns one mart's expected rows, keyed by the mart's grain, from `landed` and the dbt vars."""

    landed: Landed
    as_of: datetime  # naive UTC
    stale_after_days: int = 180
    meeting_notes_label: str = "meeting-notes"
    recent_updates_limit: int = 100
    thin_ratio: Fraction = Fraction(1, 2)
    stale_share_threshold: Fraction = Fraction(1, 2)
    content_versions: tuple[dict[str, Any], ...] = ()
    """Records of the content_versions stream (the contract's columns) the warehouse holds; none when
    it is not synced, and the contributors fall back to the latest versions."""

    @property
    def site(self) -> Site:
        return self.landed.site

    def name(self, account_id: str | None) -> str | None:
        """int_confluence__people.display_name; every referenced account is resolved by the users stream."""
        if account_id is None:
            return None
        user = self.site.users.get(account_id)
        return user.display_name if user is not None else account_id

    def space(self, space_id: str | None) -> tuple[str | None, str | None]:
        space = self.site.spaces.get(space_id or "")
        return (space.key, space.name) if space is not None else (None, None)

    def days_since(self, moment: datetime) -> int:
        return (self.as_of.date() - naive(moment).date()).days

    def is_stale(self, obj: Content) -> bool:
        return self.days_since(obj.version.created_at) >= self.stale_after_days

    def is_overdue(self, task: Task) -> bool:
        # Incomplete and due before the reference date: a task due that very day is not overdue.
        return task.status != "complete" and task.due_at is not None and naive(task.due_at).date() < self.as_of.date()

    # -- confluence__content_volume --
    def content_volume(self) -> dict[tuple, Row]:
        live = list(self.landed.live.values())
        rows: dict[tuple, Row] = {}
        for period in PERIODS:
            if not live:
                continue
            start = min(period_start(period, naive(c.created_at)) for c in live)
            last_update = max(period_start(period, naive(c.version.created_at)) for c in live)
            end = max(period_start(period, self.as_of), last_update)
            created: dict[tuple, int] = defaultdict(int)
            updated: dict[tuple, int] = defaultdict(int)
            for c in live:
                created[(period_start(period, naive(c.created_at)), c.space_id, content_type_of(c))] += 1
                if c.version.number > 1:  # only the latest version is synced: an edit counts once, in its period
                    updated[(period_start(period, naive(c.version.created_at)), c.space_id, content_type_of(c))] += 1
            current = start
            while current <= end:
                for space in self.site.spaces.values():
                    for content_type in CONTENT_TYPES:
                        key = (current, space.id, content_type)
                        rows[(period, current, space.id, content_type)] = {
                            "space_key": space.key,
                            "space_name": space.name,
                            "content_created_count": created.get(key, 0),
                            "content_updated_count": updated.get(key, 0),
                        }
                current = next_period(period, current)
        return rows

    # -- int_confluence__contribution_events --
    def _versions_by_content(self) -> dict[str, dict[int, dict[str, Any]]]:
        by_content: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for record in self.content_versions:
            by_content[record["content_id"]][int(record["version_number"])] = record
        return by_content

    def attributed_events(self) -> list[tuple[str, str, datetime, str]]:
        """(event type, account id, when, attribution source) as the confluence__contributors doc defines them."""
        versions = self._versions_by_content()
        events: list[tuple[str, str, datetime, str]] = []
        for c in self.landed.live.values():
            history = versions.get(c.id, {})
            first = history.get(1)
            if first is not None:
                events.append(("content_created", first["author_id"], record_time(first["created_at"]), "versions"))
            else:
                events.append(("content_created", c.author_id, naive(c.created_at), "latest_version"))
            if history:  # content with synced versions: every later version is an edit by its author
                events += [("content_updated", v["author_id"], record_time(v["created_at"]), "versions")
                           for number, v in history.items() if number > 1]
            elif c.version.number > 1:  # else only the latest version is known: one edit at most
                events.append(("content_updated", c.version.author_id, naive(c.version.created_at), "latest_version"))
        for comment in self.landed.comments.values():
            if not self.landed.container_is_live(comment.container_id):
                continue
            first = versions.get(comment.id, {}).get(1)
            if first is not None:
                events.append(("comment_written", first["author_id"], record_time(first["created_at"]), "versions"))
                continue
            # Contributions without a time are not counted (see comment_created_at).
            created = comment_created_at(comment)
            if created is not None:
                events.append(("comment_written", comment.version.author_id, created, "latest_version"))
        for task in self.landed.tasks.values():
            if (task.status == "complete" and task.completed_by and task.completed_at
                    and self.landed.container_is_live(task.container_id)):
                events.append(("task_completed", task.completed_by, naive(task.completed_at), "latest_version"))
        return events

    def contribution_events(self) -> list[tuple[str, str, datetime]]:
        """(event type, account id, when) as documented in int_confluence__contribution_events."""
        return [(event_type, account_id, moment) for event_type, account_id, moment, _ in self.attributed_events()]

    # -- confluence__contributors --
    def contributors(self) -> dict[tuple, Row]:
        columns = {
            "content_created": "content_created_count",
            "content_updated": "content_updated_count",
            "comment_written": "comments_written_count",
            "task_completed": "tasks_completed_count",
        }
        rows: dict[tuple, Row] = {}
        edit_sources: dict[tuple, set[str]] = defaultdict(set)
        for period in PERIODS:
            for event_type, account_id, moment, source in self.attributed_events():
                key = (period, period_start(period, moment), account_id)
                row = rows.setdefault(key, {"display_name": self.name(account_id), **dict.fromkeys(columns.values(), 0),
                                            "total_contributions": 0})
                row[columns[event_type]] += 1
                row["total_contributions"] += 1
                if event_type == "content_updated":
                    edit_sources[key].add(source)
        for key, row in rows.items():
            sources = edit_sources.get(key, set())
            row["edit_count_source"] = sources.pop() if len(sources) == 1 else ("mixed" if sources else None)
        totals: dict[tuple, list[int]] = defaultdict(list)
        for (period, start, _), row in rows.items():
            totals[(period, start)].append(row["total_contributions"])
        for (period, start, _), row in rows.items():
            # rank(): ties share a rank, the next rank is skipped
            row["contributor_rank"] = 1 + sum(1 for t in totals[(period, start)] if t > row["total_contributions"])
        return rows

    # -- confluence__label_distribution --
    def _labelled_live(self) -> dict[str, list[Content]]:
        live = self.landed.live
        by_label: dict[str, dict[str, Content]] = defaultdict(dict)
        for content_id, label_id in self.landed.label_pairs:
            if content_id in live:
                by_label[label_id][content_id] = live[content_id]
        return {label_id: list(items.values()) for label_id, items in by_label.items()}

    def label_distribution(self) -> dict[str, Row]:
        total = len(self.landed.live)
        rows: dict[str, Row] = {}
        for label_id, items in self._labelled_live().items():
            label = self.site.labels[label_id]
            rows[label_id] = {
                "label_name": label.name.lower(),
                "label_prefix": label.prefix.lower(),
                "content_count": len(items),
                "page_count": sum(1 for c in items if isinstance(c, Page)),
                "blog_post_count": sum(1 for c in items if isinstance(c, BlogPost)),
                "live_content_count": total,
                "content_share": ratio(len(items), total),
                "space_count": len({c.space_id for c in items}),
                "first_used_at": min(naive(c.created_at) for c in items),
                "last_used_at": max(naive(c.version.created_at) for c in items),
            }
        return rows

    # -- confluence__recent_updates --
    def recent_updates(self) -> list[Row]:
        by_id = sorted(self.landed.live.values(), key=lambda c: c.id)  # ties: content id (a string) ascending
        ordered = sorted(by_id, key=lambda c: c.version.created_at, reverse=True)
        rows = []
        for rank, c in enumerate(ordered[: self.recent_updates_limit], start=1):
            key, name = self.space(c.space_id)
            rows.append({
                "recency_rank": rank,
                "content_id": c.id,
                "content_type": content_type_of(c),
                "title": c.title,
                "space_id": c.space_id,
                "space_key": key,
                "space_name": name,
                "updated_at": naive(c.version.created_at),
                "created_at": naive(c.created_at),
                "version_number": c.version.number,
                "is_new_content": c.version.number == 1,
                "last_updated_by_account_id": c.version.author_id,
                "last_updated_by_name": self.name(c.version.author_id),
                "author_account_id": c.author_id,
                "author_name": self.name(c.author_id),
            })
        return rows

    # -- int_confluence__page_hierarchy --
    def page_tree(self) -> dict[str, tuple[int, str, str]]:
        """page id -> (depth, root page id, titles from the root joined by ' > ') over live synced pages."""
        pages = {i: c for i, c in self.landed.live.items() if isinstance(c, Page)}
        out: dict[str, tuple[int, str, str]] = {}

        def place(page_id: str) -> tuple[int, str, str]:
            if page_id in out:
                return out[page_id]
            page = pages[page_id]
            parent = page.parent_id
            if parent is None or parent not in pages:
                # A page whose parent is not a live page (trashed, purged, never synced) starts a tree.
                out[page_id] = (0, page_id, page.title)
            else:
                depth, root, path = place(parent)
                out[page_id] = (depth + 1, root, f"{path} > {page.title}")
            return out[page_id]

        for page_id in pages:
            place(page_id)
        return out

    # -- confluence__stale_content --
    def stale_content(self) -> dict[str, Row]:
        tree = self.page_tree()
        rows: dict[str, Row] = {}
        for c in self.landed.live.values():
            if not isinstance(c, Page) or c.status != "current" or not self.is_stale(c):
                continue
            key, name = self.space(c.space_id)
            depth, root, path = tree[c.id]
            owner = c.owner_id or c.author_id
            rows[c.id] = {
                "title": c.title,
                "space_id": c.space_id,
                "space_key": key,
                "space_name": name,
                "owner_account_id": owner,
                "owner_name": self.name(owner),
                "last_updated_at": naive(c.version.created_at),
                "last_updated_by_account_id": c.version.author_id,
                "last_updated_by_name": self.name(c.version.author_id),
                "days_since_update": self.days_since(c.version.created_at),
                "stale_after_days": self.stale_after_days,
                "page_depth": depth,
                "root_page_id": root,
                "page_path_titles": path,
            }
        return rows

    # -- confluence__task_completion --
    def task_completion(self) -> dict[tuple, Row]:
        groups: dict[tuple, list[Task]] = defaultdict(list)
        for task in self.landed.tasks.values():
            if self.landed.container_is_live(task.container_id):
                groups[(task.space_id, task.assigned_to)].append(task)
        rows: dict[tuple, Row] = {}
        for (space_id, assignee), tasks in groups.items():
            key, name = self.space(space_id)
            completed = sum(1 for t in tasks if t.status == "complete")
            rows[(space_id, assignee)] = {
                "space_key": key,
                "space_name": name,
                "is_unassigned": assignee is None,
                "assignee_name": self.name(assignee),
                "task_count": len(tasks),
                "open_task_count": len(tasks) - completed,
                "completed_task_count": completed,
                "overdue_task_count": sum(1 for t in tasks if self.is_overdue(t)),
                "completion_rate": ratio(completed, len(tasks)),
            }
        return rows

    # -- confluence__comment_activity --
    def comment_activity(self) -> dict[str, Row]:
        by_container: dict[str, list[Comment]] = defaultdict(list)
        for comment in self.landed.comments.values():
            by_container[comment.container_id].append(comment)
        rows: dict[str, Row] = {}
        for c in self.landed.live.values():
            comments = by_container.get(c.id, [])
            key, name = self.space(c.space_id)
            created = [at for x in comments if (at := comment_created_at(x)) is not None]
            rows[c.id] = {
                "content_type": content_type_of(c),
                "title": c.title,
                "space_id": c.space_id,
                "space_key": key,
                "space_name": name,
                "comment_count": len(comments),
                "footer_comment_count": sum(1 for x in comments if x.comment_type == "footer"),
                "inline_comment_count": sum(1 for x in comments if x.comment_type == "inline"),
                # unresolved unless its resolution status is `resolved`
                "unresolved_inline_comment_count": sum(1 for x in comments
                                                       if x.comment_type == "inline" and x.resolution_status != "resolved"),
                "reply_count": sum(1 for x in comments if x.parent_comment_id is not None),
                "commenter_count": len({x.version.author_id for x in comments}),
                "last_comment_at": max(created) if created else None,
            }
        space_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows.values():
            space_totals[row["space_id"]][0] += row["comment_count"]
            space_totals[row["space_id"]][1] += row["unresolved_inline_comment_count"]
        for row in rows.values():
            row["space_comment_count"], row["space_unresolved_inline_comment_count"] = space_totals[row["space_id"]]
        return rows

    # -- confluence__knowledge_gaps --
    def knowledge_gaps(self) -> dict[tuple, Row]:
        live = list(self.landed.live.values())
        site_count = len(live)
        site_stale = sum(1 for c in live if self.is_stale(c))
        subjects: list[tuple[str, str, str, list[Content]]] = []
        for space in self.site.spaces.values():
            if space.status != "archived":
                subjects.append(("space", space.id, space.name or space.key, [c for c in live if c.space_id == space.id]))
        for label_id, items in self._labelled_live().items():
            subjects.append(("label", label_id, self.site.labels[label_id].name.lower(), items))
        averages: dict[str, Fraction] = {}
        for subject_type in ("space", "label"):
            counts = [len(items) for t, _, _, items in subjects if t == subject_type]
            if counts:
                averages[subject_type] = Fraction(sum(counts), len(counts))
        rows: dict[tuple, Row] = {}
        for subject_type, subject_id, name, items in subjects:
            count = len(items)
            stale = sum(1 for c in items if self.is_stale(c))
            last = max((naive(c.version.created_at) for c in items), default=None)
            average = averages[subject_type]
            thin = count < self.thin_ratio * average
            mostly_stale = (
                count > 0
                and stale >= self.stale_share_threshold * count
                and (site_count == count or Fraction(stale, count) > Fraction(site_stale - stale, site_count - count))
            )
            rows[(subject_type, subject_id)] = {
                "subject_name": name,
                "content_count": count,
                "stale_content_count": stale,
                "stale_share": ratio(stale, count),
                "rest_of_site_stale_share": ratio(site_stale - stale, site_count - count),
                "peer_average_content_count": round_4(average),
                "last_updated_at": last,
                "days_since_last_update": (self.as_of.date() - last.date()).days if last is not None else None,
                "is_thin": thin,
                "is_mostly_stale": mostly_stale,
                "is_knowledge_gap": thin or mostly_stale,
                "gap_reason": ("thin_and_stale" if thin and mostly_stale else "thin" if thin
                               else "stale" if mostly_stale else None),
            }
        return rows

    # -- confluence__meeting_notes_digest --
    def meeting_notes_digest(self) -> dict[tuple, Row]:
        label = self.meeting_notes_label.lower()
        live = self.landed.live
        notes = sorted({content_id for content_id, label_id in self.landed.label_pairs
                        if content_id in live and self.site.labels[label_id].name.lower() == label})
        tasks_by_container: dict[str, list[Task]] = defaultdict(list)
        for task in self.landed.tasks.values():
            tasks_by_container[task.container_id].append(task)
        rows: dict[tuple, Row] = {}
        for content_id in notes:
            c = live[content_id]
            tasks = tasks_by_container.get(content_id, [])
            key, name = self.space(c.space_id)
            base = {
                "content_type": content_type_of(c),
                "title": c.title,
                "space_id": c.space_id,
                "space_key": key,
                "space_name": name,
                "meeting_date": naive(c.created_at).date(),
                "author_account_id": c.author_id,
                "author_name": self.name(c.author_id),
                "action_item_count": len(tasks),
                "open_action_item_count": sum(1 for t in tasks if t.status != "complete"),
                "overdue_action_item_count": sum(1 for t in tasks if self.is_overdue(t)),
            }
            if not tasks:
                rows[(content_id, None)] = {**base, "task_status": None, "assignee_account_id": None,
                                            "assignee_name": None, "due_at": None, "is_overdue": None,
                                            "completed_at": None, "completed_by_account_id": None,
                                            "completed_by_name": None}
            for t in tasks:
                rows[(content_id, t.id)] = {
                    **base,
                    "task_status": t.status,
                    "assignee_account_id": t.assigned_to,
                    "assignee_name": self.name(t.assigned_to),
                    "due_at": naive(t.due_at),
                    "is_overdue": self.is_overdue(t),
                    "completed_at": naive(t.completed_at),
                    "completed_by_account_id": t.completed_by,
                    "completed_by_name": self.name(t.completed_by),
                }
        return rows

    def meeting_note_phrases(self) -> dict[str, str]:
        """task id -> the words its text must contain (the body's text before any mention or date)."""
        return {t.id: task_phrase(t) for t in self.landed.tasks.values()}

    def meeting_note_mentions(self) -> dict[str, dict[str, str]]:
        """task id -> {account id: display name} of the users its body mentions (all are in the users stream)."""
        return {t.id: {a: self.site.users[a].display_name for a in re.findall(r'ri:account-id="([^"]+)"', t.body)}
                for t in self.landed.tasks.values()}

    # -- confluence__source_deleted_content --
    def source_deleted_content(self, windows: dict[str, Window]) -> dict[tuple, Row]:
        """Rows keyed (object type, object id); `windows` maps each sync to its `Window`, which stands
        for "a load or detection time inside it".

        As marts.md defines them, from the versions the syncs read (the raw rows, `Landed.reads`):
        an object is in the mart when the latest version read is deleted; `first_imported_at` is the
        first load, `last_seen_live_at` the last load of a live version (`was_seen_live` whether there
        was one), `deletion_detected_at` the first load of a deleted version after that, and a
        tombstone's title, space, container, author and creation time are the last live version's.
        """
        rows: dict[tuple, Row] = {}
        for (kind, object_id), reads in self.landed.reads.items():
            latest = reads[-1][1]
            if not latest.is_deleted:
                continue
            live = [i for i, (_, seen) in enumerate(reads) if not seen.is_deleted]
            last_live = reads[live[-1]][1] if live else None
            detected = windows[reads[live[-1] + 1 if live else 0][0]]  # the first deleted load after the last live one

            def known(name: str, latest: Seen = latest, last_live: Seen | None = last_live) -> Any:
                value = getattr(latest, name)
                return value if value is not None or last_live is None else getattr(last_live, name)

            space_id = known("space_id")
            key, name = self.space(space_id)
            author = known("author_id")
            rows[(kind, object_id)] = {
                "title": known("title"), "space_id": space_id, "space_key": key, "space_name": name,
                "container_id": known("container_id"), "source_status": latest.status,
                "deletion_kind": "purged" if latest.status in ("deleted", "purged") else "trashed",
                # a tombstone's deletion time is its detection: the start of the sync that emitted it
                "deleted_at": latest.deleted_at or windows[reads[-1][0]],
                "created_at": known("created_at"), "author_account_id": author, "author_name": self.name(author),
                "deletion_detected_at": detected,
                "first_imported_at": windows[reads[0][0]],
                "last_seen_live_at": windows[reads[live[-1]][0]] if live else None,
                "was_seen_live": bool(live),
            }
        return rows
