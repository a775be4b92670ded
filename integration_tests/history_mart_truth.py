"""The history and engagement marts expected from the double's site model (not from the warehouse),
by their definitions in dbt_project/models/docs/marts.md: the content_versions records the
contributors count, `confluence__decision_log`, the digest's decisions and
`confluence__content_engagement`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from confluence_double.model import iso
from integration_tests.entity_mart_truth import owner_of
from integration_tests.mart_truth import MartTruth, Row, Window
from integration_tests.sync_history import content_type_of, naive


def version_records(truth: MartTruth) -> tuple[dict[str, Any], ...]:
    """The content_versions rows of live content and live comments: every version each has had.

    The first sync reads every history (no start_date); the second the histories of what changed,
    so the warehouse holds each live object's whole history as the site has it now."""
    landed = truth.landed
    objects = [*landed.live.values(), *(c for c in landed.comments.values()
                                        if landed.container_is_live(c.container_id))]
    return tuple({"content_id": obj.id, "version_number": v.number, "author_id": v.author_id,
                  "created_at": iso(v.created_at)}
                 for obj in objects for v in truth.site.versions_of(obj))


def decision_log(truth: MartTruth, first_versions: Mapping[str, datetime]) -> dict[tuple, Row]:
    """decision id -> row: decisions in the bodies of live synced pages and blog posts.

    `first_versions`: each container's version time when the first sync read it; a decision keeps
    the time it was first seen at, later reads of its container move `updated_at` only."""
    landed = truth.landed
    notes = {c for c, label_id in landed.label_pairs
             if truth.site.labels[label_id].name.lower() == truth.meeting_notes_label}
    rows: dict[tuple, Row] = {}
    for container_id, decisions in truth.site.decisions_by_container.items():
        container = landed.live.get(container_id)
        synced = container is not None
        if container is None:
            # The decisions stream reads archived bodies that `pages` (include_archived false) skips:
            # their decisions are in the log, their container is not synced (no title, no label).
            container = truth.site.pages.get(container_id) or truth.site.blog_posts.get(container_id)
            if container is None or container.status != "archived" or container_id in landed.content:
                continue
        updated = naive(container.version.created_at)
        first = first_versions.get(container_id)
        first_seen = naive(first) if first is not None and landed.first.read(container_id) else updated
        key, name = truth.space(container.space_id)
        for d in decisions:
            rows[(d.id,)] = {
                "decision_local_id": d.local_id, "state": "decided" if d.decided else "undecided",
                "is_decided": d.decided, "decision_date": first_seen.date(), "first_seen_at": first_seen,
                "updated_at": updated, "container_id": container_id, "container_type": content_type_of(container),
                "container_title": container.title if synced else None,
                "is_meeting_note": container_id in notes, "space_id": container.space_id, "space_key": key,
                "space_name": name,
            }
    return rows


def digest_decisions(truth: MartTruth) -> dict[str, tuple[int, int]]:
    """meeting note id -> (decision_count, decided_decision_count)."""
    log = decision_log(truth, {})
    out: dict[str, tuple[int, int]] = {}
    for row in log.values():
        count, decided = out.get(row["container_id"], (0, 0))
        out[row["container_id"]] = (count + 1, decided + int(row["is_decided"]))
    return out


def content_engagement(truth: MartTruth, first: Window, second: Window, popular_views: int,
                       unread_below: int = 1) -> dict[tuple, Row]:
    """content id -> row. Views are counted for content that is current when a sync runs (the budget
    covers this site every sync), all time (no page_views_from or start_date); content archived
    since keeps the first sync's count."""
    landed = truth.landed
    rows: dict[tuple, Row] = {}
    for c in landed.live.values():
        current = c.status == "current"
        seen = landed.first.read(c.id)
        counted = current or (seen is not None and seen.status == "current")
        views, viewers = truth.site.view_counts(c.id, None) if counted else (None, None)
        stale = current and truth.days_since(c.version.created_at) >= truth.stale_after_days
        owner = owner_of(c)
        key, name = truth.space(c.space_id)
        rows[(c.id,)] = {
            "content_type": content_type_of(c), "title": c.title, "space_id": c.space_id, "space_key": key,
            "space_name": name, "owner_account_id": owner, "owner_name": truth.name(owner),
            "last_updated_at": naive(c.version.created_at), "days_since_update": truth.days_since(c.version.created_at),
            "view_count": views, "viewer_count": viewers, "counted_from": None,
            "counted_at": (second if current else first) if counted else None,
            "is_view_counted": counted, "is_stale": stale,
            "is_stale_and_unread": stale and counted and views < unread_below,
            "is_popular_but_stale": stale and counted and views >= popular_views,
        }
    return rows
