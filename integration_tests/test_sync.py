"""Full and incremental syncs of the double over real HTTP, compared with the site by id."""

from __future__ import annotations

from integration_tests.conftest import final_state, records_by_stream, requests_by_path, sync
from integration_tests.site_truth import expected_ids


def test_full_sync_carries_exactly_the_site(double):
    output = sync(double)
    assert not output.errors
    records = records_by_stream(output)
    truth = expected_ids(double.site)
    for stream, ids in truth.items():
        assert set(records[stream]) == ids, stream
    assert len(records["pages"]) > 900 and len(double.site.spaces) == 3
    # Every account the records name is resolved, in bulk.
    named = {r[field] for stream in ("pages", "blog_posts", "comments", "tasks", "attachments")
             for r in records[stream].values()
             for field in ("author_id", "owner_id", "version_author_id", "created_by", "assigned_to", "completed_by")
             if r.get(field)}
    assert named <= set(records["users"])
    # Mentions are resolved per page of results and the rest at the end: a few bulk calls, never one per user.
    users_bulk = requests_by_path(double)["/wiki/api/v2/users-bulk"]
    assert users_bulk * 5 <= len(records["users"])


def test_page_records_match_the_site(double):
    records = records_by_stream(sync(double, ["pages"]))["pages"]
    page = next(p for p in double.site.pages.values() if p.parent_id and p.status == "current")
    record = records[page.id]
    assert record["space_id"] == page.space_id and record["parent_id"] == page.parent_id
    assert record["version_number"] == page.version.number
    assert record["title"] == page.title and record["status"] == "current"
    assert record["body_storage"] == double.site.storage_body(page)
    assert record["body_text"] and "<" not in record["body_text"][:50]
    assert record["word_count"] == len(record["body_text"].split()) or record["word_count"] > 0


def test_incremental_after_edits_and_trash_emits_exactly_the_changed_pages(double):
    first = sync(double, ["pages", "blog_posts"])
    state = final_state(first)
    current = [p for p in double.site.pages.values() if p.status == "current"]
    edited = [p.id for p in current[10:15]]
    for page_id in edited:
        double.site.edit_page(page_id, title=f"Edited {page_id}")
    trashed = current[20].id
    double.site.trash_page(trashed)

    second = sync(double, ["pages", "blog_posts"], state=state)
    changed = records_by_stream(second)
    assert set(changed["pages"]) == set(edited) | {trashed}
    assert not changed.get("blog_posts")
    assert changed["pages"][trashed]["status"] == "trashed" and changed["pages"][trashed]["deleted_at"]
    assert all(changed["pages"][p]["title"] == f"Edited {p}" for p in edited)
    union = set(records_by_stream(first)["pages"]) | set(changed["pages"])
    assert union == expected_ids(double.site)["pages"]


def test_no_change_incremental_costs_a_handful_of_requests_per_space(double):
    streams = ["pages", "blog_posts", "comments", "tasks", "attachments"]
    state = final_state(sync(double, streams))
    double.reset_requests()
    output = sync(double, streams, state=state)
    assert output.records == []
    spaces = len(double.site.spaces)
    counts = requests_by_path(double)
    assert counts["/wiki/api/v2/pages"] <= 2 * spaces  # one walk for pages, one for tasks' containers
    assert counts["/wiki/api/v2/blogposts"] <= 2 * spaces
    assert counts.get("/wiki/api/v2/tasks", 0) == 0
    assert counts["/wiki/api/v2/footer-comments"] == 1 and counts["/wiki/api/v2/inline-comments"] == 1
    assert sum(counts.values()) <= 5 * spaces + 4


def test_interrupted_first_sync_resumes_from_its_last_checkpoint(double):
    full = sync(double, ["pages"], page_size=50)
    # The sync "dies" right after its sixth checkpoint: the platform keeps that state and the
    # records emitted before it.
    kept, state, seen_states = set(), None, 0
    for message in full.records_and_state_messages:
        if message.type.value == "STATE":
            seen_states += 1
            state = message.state
            if seen_states == 6:
                break
        else:
            kept.add(message.record.data["id"])
    resumed = set(records_by_stream(sync(double, ["pages"], state=[state], page_size=50))["pages"])
    truth = expected_ids(double.site)["pages"]
    assert kept | resumed == truth
    # It resumed rather than starting over.
    assert len(resumed) <= len(truth) - len(kept) + 3 * 50
    assert len(kept) >= 250
