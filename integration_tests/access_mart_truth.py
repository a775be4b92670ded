"""Who can view what, computed from plain stream records by the published definition
(dbt_project/models/docs/marts.md, "Access"), without SQL: the expected rows of
`confluence__content_access`, `confluence__content_access_by_user` and `confluence__access_overview`.

Input: the latest live records of each stream as dicts with the record contract's columns
(`Streams`, built from raw rows by :func:`latest`, or from a site by whoever has one). Output rows use
the marts' column names and values (timestamps as ``datetime``, lists as the marts join them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Record = Mapping[str, Any]
LIVE_STATUSES = ("current", "archived")
DELETED_STATUSES = ("trashed", "deleted", "purged")


def latest(rows: Iterable[Record], key: str = "id", order: str | None = None) -> list[Record]:
    """The latest row per key of appended loads: by `order` (nulls first, so they lose), then load time,
    then raw id; what the base models keep."""
    best: dict[str, Record] = {}

    def rank(row: Record) -> tuple:
        return (row.get(order) is not None, row.get(order) or "", row["_airbyte_extracted_at"], row["_airbyte_raw_id"])

    for row in rows:
        if row[key] not in best or rank(row) > rank(best[row[key]]):
            best[row[key]] = row
    return list(best.values())


def is_deleted(record: Record) -> bool:
    return bool(record.get("deleted_at")) or (record.get("status") or "current").lower() in DELETED_STATUSES


@dataclass
class Streams:
    spaces: list[Record]
    users: list[Record]
    pages: list[Record]
    blog_posts: list[Record]
    folders: list[Record]
    content_labels: list[Record]
    groups: list[Record]
    group_members: list[Record]
    space_permissions: list[Record]
    content_restrictions: list[Record]
    over_exposed_users: int = 50
    content: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.content = {}
        for kind, records in (("page", self.pages), ("blogpost", self.blog_posts)):
            for record in records:
                status = (record.get("status") or "current").lower()
                if not is_deleted(record) and status in LIVE_STATUSES:
                    self.content[record["id"]] = {**record, "content_type": kind}
        self.folder_nodes = {f["id"]: f for f in self.folders
                             if not is_deleted(f) and (f.get("status") or "current").lower() in LIVE_STATUSES}


class Access:
    """The definition, step by step, over `Streams`."""

    def __init__(self, streams: Streams) -> None:
        self.s = streams
        self.members: dict[str, set[str]] = {}
        for m in (m for m in streams.group_members if not m.get("deleted_at")):  # a removed member: no access
            self.members.setdefault(m["group_id"], set()).add(m["account_id"])
        self.reads = [p for p in streams.space_permissions if not p.get("deleted_at")  # a revoked grant
                      and (p.get("operation_key") or "").lower() == "read"
                      and (p.get("operation_target") or "").lower() == "space"]
        self.restrictions = [r for r in streams.content_restrictions if not r.get("deleted_at")]

    # -- the chain and its restrictions ---------------------------------------------------------
    def chain(self, content_id: str) -> list[str]:
        """The content, then each live page or folder above it, nearest first."""
        nodes = {**{cid: c for cid, c in self.s.content.items() if c["content_type"] == "page"}, **self.s.folder_nodes}
        out = [content_id]
        parent = self.s.content[content_id].get("parent_id") if self.s.content[content_id]["content_type"] == "page" else None
        while parent in nodes and parent not in out:
            out.append(parent)
            parent = nodes[parent].get("parent_id")
        return out

    def levels(self, content_id: str) -> list[str]:
        """Ids on the chain with a read restriction, nearest first."""
        restricted = {r["content_id"] for r in self.restrictions if r["operation"].lower() == "read"}
        return [node for node in self.chain(content_id) if node in restricted]

    def admissions(self, level: str) -> dict[str, set[str]]:
        """Who a restricted level admits: account id -> {'user', 'group:<id>'}."""
        out: dict[str, set[str]] = {}
        for r in self.restrictions:
            if r["content_id"] != level or r["operation"].lower() != "read":
                continue
            if r["principal_type"] == "user":
                out.setdefault(r["principal_id"], set()).add("user")
            elif r["principal_type"] == "group":
                for account in self.members.get(r["principal_id"], ()):
                    out.setdefault(account, set()).add(f"group:{r['principal_id']}")
        return out

    def named_groups(self, level: str) -> set[str]:
        return {r["principal_id"] for r in self.restrictions
                if r["content_id"] == level and r["operation"].lower() == "read" and r["principal_type"] == "group"}

    def restriction(self, content_id: str) -> dict[str, Any]:
        levels = self.levels(content_id)
        ancestors = [level for level in levels if level != content_id]
        on_self = content_id in levels
        source = ("none" if not levels else "self_and_ancestor" if on_self and ancestors
                  else "self" if on_self else "ancestor")
        return {"is_restricted": bool(levels), "restriction_source": source, "restricted_level_count": len(levels),
                "nearest_restricted_id": levels[0] if levels else None,
                "nearest_restricted_ancestor_id": ancestors[0] if ancestors else None}

    # -- the space's read permission --------------------------------------------------------------
    def space_grants(self, space_id: str, principal_type: str) -> set[str | None]:
        return {p.get("principal_id") for p in self.reads
                if p["space_id"] == space_id and p["principal_type"] == principal_type}

    def user_routes(self, space_id: str) -> dict[str, set[str]]:
        """account id -> {'user', 'group:<id>'}: how users hold the space's read permission."""
        out: dict[str, set[str]] = {}
        for account in self.space_grants(space_id, "user"):
            if account:
                out.setdefault(account, set()).add("user")
        for group in self.space_grants(space_id, "group"):
            for account in self.members.get(group, ()):
                out.setdefault(account, set()).add(f"group:{group}")
        return out

    # -- viewers ----------------------------------------------------------------------------------
    def viewers(self, content_id: str) -> dict[str, dict[str, Any]]:
        """account id -> {space_access, restriction_access, has_user_space_permission}."""
        space = self.s.content[content_id]["space_id"]
        routes = self.user_routes(space)
        levels = self.levels(content_id)
        out = {}
        if not levels:
            for account, ways in routes.items():
                out[account] = {"space": ways, "restriction": None}
            return {a: self._viewer(v) for a, v in out.items()}
        admitted = [self.admissions(level) for level in levels]
        everywhere = set.intersection(*(set(a) for a in admitted))
        open_to_licensed = bool(self.space_grants(space, "all_licensed_users"))
        for account in everywhere:
            ways = set(routes.get(account, ())) | ({"all_licensed_users"} if open_to_licensed else set())
            if ways:
                via = set().union(*(a.get(account, set()) for a in admitted))
                out[account] = {"space": ways, "restriction": via}
        return {a: self._viewer(v) for a, v in out.items()}

    @staticmethod
    def _viewer(v: dict[str, Any]) -> dict[str, Any]:
        return {"space_access": ", ".join(sorted(v["space"])), "has_user_space_permission": "user" in v["space"],
                "restriction_access": None if v["restriction"] is None else ", ".join(sorted(v["restriction"]))}

    def viewing_groups(self, content_id: str) -> set[str]:
        space = self.s.content[content_id]["space_id"]
        groups = {g for g in self.space_grants(space, "group") if g}
        for level in self.levels(content_id):
            groups &= self.named_groups(level)
        return groups

    # -- names ------------------------------------------------------------------------------------
    def user_name(self, account: str) -> str:
        known = {u["account_id"]: u.get("display_name") for u in self.s.users}
        listed = [m.get("display_name") for m in self.s.group_members if m["account_id"] == account and m.get("display_name")]
        return known.get(account) or (max(listed) if listed else None) or account

    def group_name(self, group: str) -> str:
        named = {g["id"]: g.get("name") for g in self.s.groups}
        listed = [m.get("group_name") for m in self.s.group_members if m["group_id"] == group and m.get("group_name")]
        return named.get(group) or (max(listed) if listed else None) or group


def content_access(streams: Streams) -> dict[str, dict[str, Any]]:
    """content_access_id -> row of confluence__content_access."""
    access = Access(streams)
    rows: dict[str, dict[str, Any]] = {}
    for content_id, content in streams.content.items():
        restriction = access.restriction(content_id)
        base = {"content_id": content_id, "content_type": content["content_type"], "space_id": content["space_id"],
                "is_restricted": restriction["is_restricted"], "restriction_source": restriction["restriction_source"],
                "nearest_restricted_id": restriction["nearest_restricted_id"]}
        restricted = restriction["is_restricted"]
        groups = access.viewing_groups(content_id)
        for group in groups:
            rows[f"{content_id}:group:{group}"] = {**base, "principal_type": "group", "principal_id": group,
                                                   "principal_name": access.group_name(group),
                                                   "space_access": f"group:{group}",
                                                   "restriction_access": f"group:{group}" if restricted else None}
        if not restricted:
            for kind in ("anonymous", "all_licensed_users"):
                if access.space_grants(content["space_id"], kind):
                    rows[f"{content_id}:{kind}:-"] = {**base, "principal_type": kind, "principal_id": None,
                                                      "principal_name": None, "space_access": kind,
                                                      "restriction_access": None}
        covered = set().union(*(access.members.get(g, set()) for g in groups)) if groups else set()
        for account, viewer in access.viewers(content_id).items():
            if viewer["has_user_space_permission"] or account not in covered:
                rows[f"{content_id}:user:{account}"] = {
                    **base, "principal_type": "user", "principal_id": account,
                    "principal_name": access.user_name(account), "space_access": viewer["space_access"],
                    "restriction_access": viewer["restriction_access"]}
    return rows


def content_access_by_user(streams: Streams) -> dict[str, dict[str, Any]]:
    """content_user_id -> row of confluence__content_access_by_user."""
    access = Access(streams)
    rows = {}
    for content_id, content in streams.content.items():
        restriction = access.restriction(content_id)
        for account, viewer in access.viewers(content_id).items():
            rows[f"{content_id}:{account}"] = {
                "content_id": content_id, "content_type": content["content_type"], "space_id": content["space_id"],
                "account_id": account, "display_name": access.user_name(account), **viewer,
                "is_restricted": restriction["is_restricted"], "restriction_source": restriction["restriction_source"],
                "nearest_restricted_id": restriction["nearest_restricted_id"]}
    return rows


def access_overview(streams: Streams) -> dict[str, dict[str, Any]]:
    """content_id -> row of confluence__access_overview (the access columns and the owner's)."""
    access = Access(streams)
    principals = content_access(streams)
    by_user = content_access_by_user(streams)
    users = {u["account_id"]: u for u in streams.users}
    titles = {**{cid: c.get("title") for cid, c in streams.content.items()},
              **{f["id"]: f.get("title") for f in streams.folders}}
    labels: dict[str, set[str]] = {}
    for label in streams.content_labels:
        if label["content_type"] in ("page", "blogpost"):
            labels.setdefault(label["content_id"], set()).add(label["label_name"].lower())
    rows = {}
    for content_id, content in streams.content.items():
        restriction = access.restriction(content_id)
        mine = [p for p in principals.values() if p["content_id"] == content_id]
        kinds = {p["principal_type"] for p in mine}
        viewers = sum(1 for u in by_user.values() if u["content_id"] == content_id)
        owner = content.get("owner_id") or content.get("author_id")
        status = (users[owner].get("account_status") or "").lower() or None if owner in users else None
        nearest = restriction["nearest_restricted_ancestor_id"]
        rows[content_id] = {
            **{k: restriction[k] for k in ("is_restricted", "restriction_source", "restricted_level_count",
                                           "nearest_restricted_ancestor_id")},
            "nearest_restricted_ancestor_title": titles.get(nearest) if nearest else None,
            "viewer_group_count": sum(1 for p in mine if p["principal_type"] == "group"),
            "viewer_user_count": viewers,
            "is_open_to_anonymous": "anonymous" in kinds,
            "is_open_to_all_licensed_users": "all_licensed_users" in kinds,
            "is_over_exposed": bool({"anonymous", "all_licensed_users"} & kinds) or viewers > streams.over_exposed_users,
            "label_names": ", ".join(sorted(labels[content_id])) if content_id in labels else None,
            "owner_account_id": owner,
            "owner_account_status": status,
            # Orphaned: no owner, an owner the users stream does not know, or one whose status is set and not active.
            "is_orphaned": owner is None or owner not in users or status not in (None, "active"),
        }
    return rows
