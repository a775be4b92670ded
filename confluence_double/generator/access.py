"""Folders and restrictions of a generated site (``SiteSpec.folders``, ``SiteSpec.restricted``).

Runs after the rest of the generation with its own ``random.Random``, so a spec without folders
or restrictions yields the same site as before they existed. Per space, ``folders`` folders nested
in one chain from the space root (each one level deeper), with root-level pages moved into them;
``restricted`` pages and blog posts get read and update restrictions for users and groups, on
parents and their children alike (restrictions on nested pages).
"""

from __future__ import annotations

import random

from ..model import Folder, Principal, Site

GROUP_NAMES = ("confluence-users", "engineering", "finance", "legal")
SEED_SALT = 0x5EC0_0001


def groups(seed: int) -> list[Principal]:
    """The site's groups as restriction principals, with deterministic Cloud-style ids."""
    rng = random.Random(seed ^ SEED_SALT)
    out = []
    for name in GROUP_NAMES:
        raw = f"{rng.getrandbits(128):032x}"
        out.append(Principal("group", f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}", name))
    return out


def add_access(site: Site) -> None:
    spec = site.spec
    if not spec.folders and not spec.restricted:
        return
    rng = random.Random(spec.seed * 31 + SEED_SALT)
    if spec.folders:
        _folders(site, rng, spec.folders)
    if spec.restricted:
        _restrictions(site, rng, spec.restricted)


def _folders(site: Site, rng: random.Random, per_space: int) -> None:
    for space in sorted(site.spaces.values(), key=lambda s: int(s.id)):
        roots = sorted((p for p in site.pages.values() if p.space_id == space.id and p.parent_id is None
                        and p.id != space.homepage_id and p.status == "current"), key=lambda p: int(p.id))
        parent: str | None = None
        chain: list[Folder] = []
        for depth in range(per_space):
            num = site.new_content_num()
            created = space.created_at
            folder = Folder(str(num), space.id, f"Folder {space.key} {depth + 1}", parent, space.author_id, created,
                            num=num)
            site.folders[folder.id] = folder
            chain.append(folder)
            parent = folder.id
        # Pages of the page tree move into the folders (the generated state: no new version).
        homes = [p for p in site.pages.values() if p.space_id == space.id and p.id == space.homepage_id]
        movable = roots or sorted((p for p in site.pages.values() if homes and p.parent_id == homes[0].id),
                                  key=lambda p: int(p.id))
        for page in movable[: max(1, len(chain) * 2)]:
            folder = chain[rng.randrange(len(chain))]
            if page.parent_id is not None and page.id in site.children.get(page.parent_id, ()):
                site.children[page.parent_id].remove(page.id)
            page.parent_id = folder.id
            page.position = None


def _restrictions(site: Site, rng: random.Random, count: int) -> None:
    users = sorted(site.users)
    principals = groups(site.spec.seed)
    pages = sorted((p for p in site.pages.values() if p.status == "current"), key=lambda p: int(p.id))
    blogs = sorted((b for b in site.blog_posts.values() if b.status == "current"), key=lambda b: int(b.id))
    # Parents with children first, so some restrictions sit on nested pages (a parent and its child).
    parents = [p for p in pages if site.children.get(p.id)]
    chosen: list[str] = []
    for parent in parents[: count // 2]:
        chosen.append(parent.id)
        chosen.append(site.children[parent.id][0])
    rest = [c.id for c in (*pages, *blogs) if c.id not in chosen]
    rng.shuffle(rest)
    chosen = list(dict.fromkeys(chosen + rest))[:count]
    for content_id in chosen:
        readers = [Principal("user", u, "") for u in rng.sample(users, min(len(users), rng.randint(1, 3)))]
        if rng.random() < 0.6:
            readers.append(principals[rng.randrange(len(principals))])
        site.restrictions[content_id] = {"read": readers}
        if rng.random() < 0.5:
            site.restrictions[content_id]["update"] = [readers[0]]
