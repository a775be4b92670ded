"""The end-to-end marts scenario: the generated site, and the mutations made between its two syncs.

The site has nested folders and restricted pages. Between the syncs, `apply_mutations` trashes,
purges and archives a page, completes a task, labels a page as meeting notes, trashes a comment and
an attachment, edits a comment, and changes who can read what and what was decided: it restricts a
page with children to a group and a user, lifts a generated restriction, moves a page into a
folder, adds a user to the restricting group, removes a decision from its page and records views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from confluence_double import Site, SiteSpec
from confluence_double.model import Principal
from integration_tests.sync_history import naive

SPEC = SiteSpec(spaces=3, pages=400, blog_posts=60, footer_comments=300, inline_comments=100, tasks=200,
                attachments=80, labels=20, users=15, seed=21, folders=2, restricted=24)
# The reference time and stale threshold put live pages exactly on both sides of the threshold
# (177 and 176 days) and incomplete tasks due on the reference date, so both boundaries are tested.
AS_OF = datetime(2026, 7, 10)
STALE_AFTER_DAYS = 177
# Generated content ends on 2026-06-30; later mutation times put every change above the first
# sync's cursors, as real edits after a sync would be.
MUTATED_AT = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
# The move and the decision's removal make versions: in the week before MUTATED_AT's, so the newest
# changes and the mutation week's counts stay those of the content mutations.
REARRANGED_AT = datetime(2026, 7, 3, 9, 0, tzinfo=UTC)
MEETING_NOTES = "meeting-notes"
RESTRICTING_GROUP = "engineering"


@dataclass(frozen=True)
class Mutations:
    trashed_page: str
    purged_page: str
    archived_page: str
    completed_task: str
    meeting_notes_page: str
    trashed_comment: str
    trashed_attachment: str
    edited_comment: str
    restricted_page: str = ""
    """A page with live children, restricted (read) to RESTRICTING_GROUP and one user."""
    lifted_page: str = ""
    """Content whose generated restrictions were all lifted."""
    moved_page: str = ""
    moved_into_folder: str = ""
    joined_group: tuple[str, str] = ("", "")
    """(group id, account id) added to it."""
    removed_decision: str = ""
    """`<container>:<local id>` of the decision removed from its page."""
    viewed_page: str = ""


def apply_mutations(site: Site) -> Mutations:
    """Picks targets deterministically (by id) and mutates the site between the two syncs."""
    homepages = {s.homepage_id for s in site.spaces.values()}
    accounts = list(site.users)
    notes_label = site.label_by_name(MEETING_NOTES)
    pages = sorted((p for p in site.pages.values() if p.status == "current" and p.id not in homepages),
                   key=lambda p: int(p.id))
    page_ids = {p.id for p in pages}

    def is_leaf(page_id: str) -> bool:
        return not site.children.get(page_id)

    # An overdue assigned task on a page holding other tasks: its page becomes meeting notes.
    task = next(t for t in sorted(site.tasks.values(), key=lambda t: int(t.id))
                if t.status == "incomplete" and t.assigned_to and t.due_at is not None
                and naive(t.due_at).date() < AS_OF.date()
                and t.container_id in page_ids
                and len(site.tasks_by_container[t.container_id]) >= 2
                and (notes_label is None or notes_label.id not in site.labels_by_content.get(t.container_id, ())))
    taken = {task.container_id}

    def hangs_off(page_id: str) -> tuple[int, int, int]:
        return (len(site.comments_by_container.get(page_id, ())), len(site.attachments_by_container.get(page_id, ())),
                len(site.tasks_by_container.get(page_id, ())))

    # A leaf page carrying comments, attachments and tasks: purging it leaves tombstones of each kind
    # (a leaf, because purging moves children to the grandparent without a version, which no sync sees).
    purged = max((p for p in pages if is_leaf(p.id) and p.id not in taken and min(hangs_off(p.id)[:2]) > 0),
                 key=lambda p: (sum(hangs_off(p.id)), -int(p.id)))
    taken.add(purged.id)
    # A page with live children: they become tree roots once it is trashed.
    trashed = next(p for p in pages if p.id not in taken
                   and any(site.pages[k].status == "current" for k in site.children.get(p.id, ())))
    taken.add(trashed.id)
    archived = next(p for p in pages if p.id not in taken and is_leaf(p.id)
                    and site.labels_by_content.get(p.id) and site.comments_by_container.get(p.id))
    taken.add(archived.id)
    comment = next(c for c in sorted(site.comments.values(), key=lambda c: int(c.id))
                   if c.status == "current" and c.comment_type == "footer" and c.parent_comment_id is not None
                   and c.version.number == 1 and c.container_id in page_ids - taken)
    attachment = next(a for a in sorted(site.attachments.values(), key=lambda a: a.num)
                      if a.status == "current" and a.container_id in page_ids - taken)
    # Written before the first sync, read by it at version 1, edited since: it still counts as written then.
    edited = next(c for c in sorted(site.comments.values(), key=lambda c: int(c.id))
                  if c.status == "current" and c.version.number == 1 and c.id != comment.id
                  and c.container_id in page_ids - taken and c.created_at.month != MUTATED_AT.month)
    trasher = next(a for a in accounts if a != attachment.version.author_id)
    access = _access_targets(site, pages, taken | {comment.container_id, attachment.container_id})

    site.trash_page(trashed.id, at=MUTATED_AT, author_id=accounts[1])
    site.purge_page(purged.id)
    site.archive_page(archived.id, at=MUTATED_AT + timedelta(hours=1), author_id=accounts[2])
    site.complete_task(task.id, by_account_id=task.assigned_to, at=MUTATED_AT + timedelta(hours=2))
    site.add_label(task.container_id, MEETING_NOTES)
    site.trash_comment(comment.id, at=MUTATED_AT + timedelta(hours=3), author_id=accounts[3])
    site.trash_attachment(attachment.id, at=MUTATED_AT + timedelta(hours=4), author_id=trasher)
    site.edit_comment(edited.id, "<p>Reworded after the first sync.</p>", at=MUTATED_AT + timedelta(hours=5),
                      author_id=edited.version.author_id)
    _apply_access(site, access)
    return Mutations(trashed.id, purged.id, archived.id, task.id, task.container_id, comment.id, attachment.id,
                     edited.id, **access)


def _access_targets(site: Site, pages: list, taken: set[str]) -> dict:
    """Targets of the access, folder, decision and view mutations, none among the other mutations' pages."""
    free = [p for p in pages if p.id not in taken]

    def unrestricted_above(page_id: str) -> bool:
        parent = site.pages[page_id].parent_id
        while parent is not None:
            if parent in site.restrictions:
                return False
            parent = (site.pages.get(parent) or site.folders[parent]).parent_id
        return True

    # Nothing restricted above it, nor on its children: its restriction alone decides who reads them.
    restricted = next(p for p in free if p.id not in site.restrictions and unrestricted_above(p.id)
                      and any(site.pages[k].status == "current" for k in site.children.get(p.id, ()))
                      and not any(k in site.restrictions for k in site.children.get(p.id, ())))
    lifted = next(content_id for content_id in sorted(site.restrictions, key=int)
                  if content_id not in taken and content_id != restricted.id
                  and "read" in site.restrictions[content_id])
    group = site.access.group_by_name(RESTRICTING_GROUP)
    assert group is not None
    joining = next(a for a in sorted(site.users)[1:] if a not in group.members)  # not the restriction's user
    busy = taken | {restricted.id, lifted, *site.children.get(restricted.id, ())}
    moved = next(p for p in free if p.id not in busy and p.parent_id is not None
                 and p.parent_id not in site.folders and not site.children.get(p.id))
    folder = max((f for f in site.folders.values() if f.space_id == moved.space_id), key=lambda f: int(f.id))
    container = next(c for c in sorted(site.decisions_by_container, key=int)
                     if c in site.pages and site.pages[c].status == "current"
                     and c not in busy | {moved.id})
    decision = site.decisions_of(container)[0]
    viewed = next(p for p in free if p.id not in busy | {moved.id, container})
    return {"restricted_page": restricted.id, "lifted_page": lifted, "moved_page": moved.id,
            "moved_into_folder": folder.id, "joined_group": (group.id, joining), "removed_decision": decision.id,
            "viewed_page": viewed.id}


def _apply_access(site: Site, m: dict) -> None:
    group_id, joining = m["joined_group"]
    group = site.access.groups[group_id]
    reader = sorted(site.users)[0]
    site.restrict(m["restricted_page"], "read", Principal("group", group.id, group.name))
    site.restrict(m["restricted_page"], "read", Principal("user", reader, ""))
    site.lift(m["lifted_page"], "read")
    site.lift(m["lifted_page"], "update")
    site.move_page_to_folder(m["moved_page"], m["moved_into_folder"], at=REARRANGED_AT)
    site.access.add_group_member(group_id, joining)
    container, local_id = m["removed_decision"].split(":", 1)
    site.remove_decision(container, local_id, at=REARRANGED_AT + timedelta(hours=1))
    site.view_content(m["viewed_page"], reader, at=MUTATED_AT, times=3)
