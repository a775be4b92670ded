"""Issue-3 behaviour over real HTTP: one incremental sync reflects a mixed batch of changes and
nothing else; every selection option changes the result as documented."""

from __future__ import annotations

from integration_tests.conftest import final_state, records_by_stream, sync
from integration_tests.site_truth import expected_ids

ALWAYS_CHECK = {"deletion_check_interval_hours": 0, "label_reconciliation_interval_hours": 0}


def test_one_incremental_sync_reflects_a_mixed_batch_of_changes(double):
    site = double.site
    first = sync(double, **ALWAYS_CHECK)
    assert not first.errors
    state = final_state(first)

    pages = [p for p in site.pages.values() if p.status == "current"]
    commented = pages[5]
    new_comment = site.add_comment(commented.id, "<p>Looks good to me</p>")
    inline = next(c for c in site.comments.values()
                  if c.comment_type == "inline" and c.resolution_status == "open" and c.status == "current")
    site.resolve_inline_comment(inline.id)
    task = next(t for t in site.tasks.values() if t.status == "incomplete" and t.container_type == "page")
    site.complete_task(task.id)
    labelled = pages[7]
    site.add_label(labelled.id, "runbook")
    removed_from, removed_label = next(
        (content_id, site.labels[label_ids[0]]) for content_id, label_ids in site.labels_by_content.items()
        if content_id in site.pages and site.pages[content_id].status == "current" and label_ids)
    site.remove_label(removed_from, removed_label.name)
    attachment = site.add_attachment(pages[9].id, "diagram.png", "image/png", 2048)
    trashed = pages[11]
    site.trash_page(trashed.id)
    purged = next(p for p in pages[12:] if not site.children.get(p.id) and p.id != task.container_id)
    purged_comments = {c for c in site.comments_by_container.get(purged.id, ())}
    site.purge_page(purged.id)

    second = sync(double, state=state, **ALWAYS_CHECK)
    assert not second.errors
    changed = records_by_stream(second)

    assert set(changed["pages"]) == {task.container_id, trashed.id, purged.id}
    assert changed["pages"][trashed.id]["status"] == "trashed"
    assert changed["pages"][purged.id]["status"] == "deleted" and changed["pages"][purged.id]["deleted_at"]
    assert not changed.get("blog_posts")
    comment_ids = set(changed["comments"])
    assert {new_comment.id, inline.id} <= comment_ids
    # Comments purged with their page arrive as deleted tombstones, and nothing else changed.
    assert comment_ids - {new_comment.id, inline.id} == purged_comments & set(records_by_stream(first)["comments"])
    assert changed["comments"][inline.id]["resolution_status"] == "resolved"
    assert changed["comments"][new_comment.id]["container_id"] == commented.id
    assert changed["comments"][new_comment.id]["space_id"] == commented.space_id
    assert task.id in changed["tasks"] and changed["tasks"][task.id]["status"] == "complete"
    assert set(changed["attachments"]) == {attachment.id} | {
        a for a in records_by_stream(first)["attachments"] if a not in site.attachments}
    assert changed["attachments"][attachment.id]["space_id"] == pages[9].space_id
    # Every label's round is due (ALWAYS_CHECK): a removed label arrives as a tombstone.
    labels = {i for i, row in changed["content_labels"].items() if not row.get("deleted_at")}
    runbook = site.label_by_name("runbook")
    assert f"{labelled.id}:{runbook.id}" in labels
    assert changed["content_labels"][f"{removed_from}:{removed_label.id}"]["deleted_at"]
    assert labels == expected_ids(site)["content_labels"]


def test_space_keys_selects_spaces_and_what_hangs_off_them(double):
    space = next(iter(double.site.spaces.values()))
    records = records_by_stream(sync(double, space_keys=[space.key]))
    assert set(records["spaces"]) == {space.id}
    assert records["pages"] and {r["space_id"] for r in records["pages"].values()} == {space.id}
    assert {r["space_id"] for r in records["comments"].values()} == {space.id}
    assert {r["space_id"] for r in records["tasks"].values()} == {space.id}
    assert {r["space_id"] for r in records["attachments"].values()} == {space.id}
    expected_pages = {p.id for p in double.site.pages.values() if p.space_id == space.id and p.status != "archived"}
    assert set(records["pages"]) == expected_pages


def test_unknown_space_key_is_a_config_error_naming_the_field(double):
    output = sync(double, ["pages"], expect_failure=True, space_keys=["NOSUCH"])
    error = output.errors[0].trace.error
    assert error.failure_type.value == "config_error" and "space_keys" in error.message and "NOSUCH" in error.message


def test_page_tree_roots_selects_a_subtree(double):
    site = double.site
    root = next(p for p in site.pages.values() if p.parent_id and len(site.children.get(p.id, ())) >= 2)
    subtree, stack = set(), [root.id]
    while stack:
        page_id = stack.pop()
        subtree.add(page_id)
        stack.extend(site.children.get(page_id, ()))
    records = records_by_stream(sync(double, ["pages", "comments", "tasks"], page_tree_roots=[root.id]))
    expected = {p for p in subtree if site.pages[p].status != "archived"}
    assert set(records["pages"]) == expected and len(expected) < len(site.pages) / 2
    # Blog posts are in no page tree: what hangs off them is kept (switch them off via content_types).
    for stream in ("comments", "tasks"):
        on_pages = [r for r in records[stream].values() if r["container_type"] == "page"]
        assert on_pages and all(r["container_id"] in subtree for r in on_pages), stream


def test_labels_select_labelled_content(double):
    site = double.site
    label = max(site.labels.values(), key=lambda lab: len(site.content_by_label.get(lab.id, {})))
    carriers = set(site.content_by_label[label.id])
    records = records_by_stream(sync(double, ["pages", "blog_posts", "comments"], labels=[label.name]))
    got = set(records["pages"]) | set(records["blog_posts"])
    expected = {c for c in carriers if (c in site.pages and site.pages[c].status == "current")
                or (c in site.blog_posts and site.blog_posts[c].status == "current")}
    assert got == expected and got
    assert all(r["container_id"] in carriers for r in records["comments"].values())


def test_content_types_switch_streams_off_and_their_children_with_them(double):
    records = records_by_stream(sync(double, ["pages", "blog_posts", "comments"], content_types=["pages", "comments"]))
    assert records["pages"] and not records.get("blog_posts")
    assert records["comments"] and all(r["container_type"] == "page" for r in records["comments"].values())


def test_start_date_keeps_only_recent_content(double):
    site = double.site
    cutoff = sorted(p.modified_at for p in site.pages.values())[len(site.pages) // 2]
    records = records_by_stream(sync(double, ["pages"], start_date=cutoff.isoformat()))
    expected = {p.id for p in site.pages.values() if p.modified_at >= cutoff and p.status != "archived"}
    assert set(records["pages"]) == expected


def test_include_archived_and_include_bodies(double):
    archived = {p.id for p in double.site.pages.values() if p.status == "archived"}
    assert archived
    with_archived = records_by_stream(sync(double, ["pages"], include_archived=True, include_bodies=False))["pages"]
    assert archived <= set(with_archived)
    assert all(r.get("body_storage") is None and r.get("body_text") is None for r in with_archived.values())


def test_a_selection_that_matches_nothing_warns_and_succeeds(double):
    output = sync(double, ["pages"], labels=["no-such-label-anywhere"])
    assert not output.errors and output.records == []
    assert output.is_in_logs("select no content")
