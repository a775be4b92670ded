"""The invariants every sync must keep, whatever the adversary did.

- No loss: after a sync that completed, the warehouse shows every object that did not change during
  the sync (nor, on Data Center, within the index's lag before it) exactly as the site has it: its
  version and status, a tombstone once it is purged (or, on Data Center, trashed), its tasks' status.
- No cursor past a gap: whenever a partition checkpoints, every version its cursor claims (changed
  before the cursor, or before the cursor's minute where the server filters to the minute) was
  emitted before that checkpoint.
- No regression: an id's records arrive in non-decreasing `updated_at`, so a destination that keeps
  the last record (PyAirbyte's merge) and one that keeps the greatest cursor (Airbyte's dedup) agree.
- Bounded repeats: a version is emitted again only by a sync that follows a disruption (a kill, a
  failed sync, a corrupted state), or, for an inline comment resolved or reopened during a sync, by
  the next deletion check; otherwise at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from unit_tests.adversary.site import COMMENTS, CONTAINERS, Obj, Site
from unit_tests.adversary.wire import decision_state, iso_utc

STREAM_OF = {"page": "pages", "blogpost": "blog_posts", "footer": "comments", "inline": "comments",
             "attachment": "attachments"}
CLOUD_LISTED = {"page": ("current", "archived", "trashed"), "blogpost": ("current", "trashed"),
                "attachment": ("current", "archived", "trashed"), "footer": ("current",), "inline": ("current",)}
ID_FIELD = {"users": "account_id"}


def version_of(stream: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two records of an id the same version, for counting repeats."""
    if stream == "decisions":  # no version number: the container's version time and the decision's state
        return (data.get("updated_at"), data.get("state"), data.get("deleted_at"))
    return (data.get("version_number"), data.get("status"), data.get("resolution_status"))


class Warehouse:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.emitted: set[tuple[str, str, Any]] = set()
        """(stream, id, version number) of every record committed so far."""

    def load(self, records: Iterable[tuple[str, dict[str, Any]]], disrupted: bool,
             may_repeat: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """`may_repeat`: ids a stated bound lets come again (an inline comment resolved during the
        previous sync is read again by the next deletion check)."""
        problems = []
        loaded_now: set[tuple[str, str]] = set()
        for stream, data in records:
            key = (stream, str(data.get(ID_FIELD.get(stream, "id"))))
            previous = self.rows.get(key)
            if previous is not None and (data.get("updated_at") or "") < (previous.get("updated_at") or ""):
                # A state read from the start again (corrupted) may replay a version delivered before the
                # id's tombstone (Data Center's lagging index still lists the trashed page): a repeat, not
                # news; the settled check still demands the tombstone at the end.
                replayed = (disrupted and previous.get("status") == "deleted"
                            and (stream, key[1], data.get("version_number")) in self.emitted)
                if not replayed:
                    problems.append(f"{key}: updated_at went back from {previous.get('updated_at')} "
                                    f"to {data.get('updated_at')}")
            # A repeat: the warehouse already holds exactly this version of the id.
            if (previous is not None and version_of(stream, previous) == version_of(stream, data)
                    and stream != "tasks" and data.get("status") != "deleted" and not data.get("deleted_at")):
                if key in loaded_now:
                    problems.append(f"{key} {version_of(stream, data)} emitted twice in one sync")
                # A decision carries no version number: a new version of its container in the same
                # millisecond (the clock may stand still) repeats it unchanged, rightly.
                elif not disrupted and key[1] not in may_repeat and stream != "decisions":
                    problems.append(f"{key} {version_of(stream, data)} emitted again after an undisturbed sync")
            loaded_now.add(key)
            self.rows[key] = data
            self.emitted.add((stream, key[1], data.get("version_number")))
        return problems

    def row(self, stream: str, obj_id: str) -> dict[str, Any] | None:
        return self.rows.get((stream, obj_id))


def listed(flavour: str, obj: Obj) -> bool:
    """Whether the flavour's lists show the object at all (else it must end as a tombstone)."""
    if flavour == "cloud":
        return obj.status in CLOUD_LISTED[obj.kind]
    return obj.status == "current"


def settled_problems(site: Site, warehouse: Warehouse, flavour: str, settled_before: int,
                     blind: set[str]) -> list[str]:
    """Objects whose last change came before `settled_before` must read as the site has them
    (`blind`: ids whose removal may go unreported, see the machine's state corruption)."""
    problems: list[str] = []
    for obj in list(site.objects.values()) + list(site.purged.values()):
        if site.changed_at.get(obj.id, 0) >= settled_before:
            continue
        stream = STREAM_OF[obj.kind]
        row = warehouse.row(stream, obj.id)
        purged = obj.id in site.purged
        if obj.kind in CONTAINERS:
            problems += _decision_problems(obj, warehouse, purged or not listed(flavour, obj), blind)
        if purged or not listed(flavour, obj):
            if row is not None and row.get("status") != "deleted" and obj.id not in blind:
                problems.append(f"{stream} {obj.id} is gone ({'purged' if purged else obj.status}) but the warehouse "
                                f"shows status {row.get('status')}")
            continue
        if row is None:
            problems.append(f"{stream} {obj.id} v{obj.version} ({obj.status}) never arrived")
            continue
        if (row.get("version_number"), row.get("status")) != (obj.version, obj.status):
            problems.append(f"{stream} {obj.id}: warehouse has v{row.get('version_number')} {row.get('status')}, "
                            f"site has v{obj.version} {obj.status}")
        if obj.kind in COMMENTS and row.get("created_at") != iso_utc(obj.created_at):
            problems.append(f"comment {obj.id}: created_at {row.get('created_at')} != {iso_utc(obj.created_at)}")
        if flavour == "cloud" and obj.kind == "inline" and row.get("resolution_status") != obj.resolution:
            problems.append(f"comment {obj.id}: resolution {row.get('resolution_status')} != {obj.resolution}")
        if obj.kind in CONTAINERS:
            problems += _task_problems(obj, warehouse, flavour)
    return problems


def _task_problems(container: Obj, warehouse: Warehouse, flavour: str) -> list[str]:
    problems = []
    for local, status in container.tasks.items():
        task_id = container.task_ids[local] if flavour == "cloud" else f"{container.id}-{local}"
        row = warehouse.row("tasks", task_id)
        if row is None or row.get("status") != status:
            problems.append(f"task {task_id} of {container.id}: warehouse {row and row.get('status')}, site {status}")
    return problems


def _decision_problems(container: Obj, warehouse: Warehouse, gone: bool, blind: set[str]) -> list[str]:
    """Each task's decision lives while its container does (a tombstone once the container is trashed,
    purged or, on Data Center, no longer listed)."""
    problems = []
    gone = gone or container.status in ("trashed", "deleted")
    for local, status in container.tasks.items():
        decision = f"{container.id}:d{local}"
        row = warehouse.row("decisions", decision)
        if gone:
            if row is not None and not row.get("deleted_at") and decision not in blind:
                problems.append(f"decision {decision}: its container is {container.status}, no tombstone")
        elif row is None or row.get("deleted_at") or row.get("state") != decision_state(status):
            problems.append(f"decision {decision}: warehouse {row and (row.get('state'), row.get('deleted_at'))}, "
                            f"site {decision_state(status)}")
    return problems


def checkpoint_problems(site: Site, flavour: str, stream: str, state: dict[str, Any],
                        emitted: set[tuple[str, str, Any]]) -> list[str]:
    """Every version a partition's cursor claims must have been emitted before the checkpoint."""
    if stream == "tasks":
        return []
    problems = []
    for entry in state.get("states") or []:
        cursor = entry["cursor"].get("updated_at")
        if not cursor:
            continue
        floor = cursor if flavour == "cloud" else cursor[:17] + "00.000Z"
        for obj in site.objects.values():
            if STREAM_OF[obj.kind] != stream or not listed(flavour, obj) or not _in(entry["partition"], obj, site):
                continue
            if iso_utc(obj.at) < floor and (stream, obj.id, obj.version) not in emitted:
                problems.append(f"{stream} {entry['partition']}: cursor {cursor} claims {obj.id} v{obj.version} "
                                f"({iso_utc(obj.at)}), never emitted")
    return problems


def _in(partition: dict[str, Any], obj: Obj, site: Site) -> bool:
    if "space_id" in partition:
        return obj.space_id == partition["space_id"]
    if "comment_type" in partition and partition["comment_type"] in ("footer", "inline"):
        return obj.kind == partition["comment_type"]
    return True
