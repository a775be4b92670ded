"""Deterministic generation of a Site from a SiteSpec.

Everything comes from one ``random.Random(seed)`` consumed in a fixed order, and no output
depends on string hashing or set order, so the same spec always yields the same site. Content
ids (spaces, pages, blog posts, comments, attachments) share one increasing sequence assigned
in creation-time order, as Confluence's do; tasks and labels have their own sequences.
"""

from __future__ import annotations

import gc
import math
import random
from bisect import bisect_left
from itertools import accumulate

from .bodies import WORDS, BodyFactory, Mentionable, PageRef, xml_escape
from .model import (
    MEDIA_TYPES,
    Attachment,
    BlogPost,
    Comment,
    Label,
    Page,
    Site,
    SiteSpec,
    Space,
    Task,
    User,
    Version,
    from_ms,
    to_ms,
)

T_START = to_ms(from_ms(0).replace(year=2023, month=1, day=1))
T_END = to_ms(from_ms(0).replace(year=2026, month=6, day=30, hour=23, minute=59, second=59))
DAY = 86_400_000

BASE_SPACES = (
    ("ENG", "Engineering"),
    ("OPS", "Operations"),
    ("MKT", "Marketing"),
    ("HR", "People & Culture"),
    ("SALES", "Sales"),
    ("DOCS", "Product Documentation"),
    ("SUP", "Customer Support"),
    ("FIN", "Finance"),
    ("LEGAL", "Legal"),
    ("DES", "Design"),
    ("DATA", "Data Platform"),
    ("SEC", "Security"),
    ("IT", "IT Help Desk"),
    ("PM", "Product Management"),
    ("QA", "Quality Engineering"),
    ("INFRA", "Infrastructure"),
)
FIRST_NAMES = (
    "Ada Bram Chloé Dmitri Elif Farah Gustavo Hana Ivan Jonas Keiko Lena Mateo Nadia Oskar Priya "
    "Quentin Rosa Sven Tomás Uma Viktor Wen Ximena Yusuf Zoë Amara Bilal Carmen Dev"
).split()
LAST_NAMES = (
    "Okafor Lindqvist Moreau Petrov Yılmaz Haddad Silva Tanaka Novak Becker Sato Kowalski Rossi "
    "Nguyen Andersen Müller O'Brien Fischer Costa Ibrahim Kaur Jensen Dubois Park Schmidt"
).split()
APP_NAMES = (
    "Automation for Confluence",
    "Jira Cloud",
    "Confluence Analytics",
    "Slack Integration",
    "Draw.io",
)
TIME_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "America/Los_Angeles",
    "UTC",
)
DOC_KINDS = (
    "Runbook",
    "Design doc",
    "How-to",
    "Meeting notes",
    "Retrospective",
    "Decision log",
    "Onboarding guide",
    "Postmortem",
    "Roadmap",
    "FAQ",
    "Requirements",
    "Architecture overview",
    "Release notes",
    "Troubleshooting",
    "Checklist",
)
TOPICS = (
    "payments service",
    "search cluster",
    "billing",
    "customer portal",
    "data warehouse",
    "mobile app",
    "SSO & identity",
    "release train",
    "on-call",
    'vendor "Acme" contract',
    "Q3 planning",
    "café rollout — EMEA",
    "API gateway",
    "hiring loop",
    "<beta> feature flags",
    "cost review",
)
BLOG_KINDS = (
    "Weekly update",
    "Release",
    "Announcement",
    "Team spotlight",
    "Incident summary",
    "Tips & tricks",
)
BASE_LABELS = (
    "meeting-notes",
    "how-to",
    "decision",
    "retrospective",
    "architecture",
    "runbook",
    "onboarding",
    "postmortem",
    "roadmap",
    "release-notes",
    "kb-how-to-article",
    "troubleshooting",
    "requirements",
    "security",
    "faq",
    "design",
    "api",
    "incident",
    "planning",
    "archived-content",
)
FILE_KINDS = (
    ("png", 30),
    ("jpg", 10),
    ("pdf", 15),
    ("docx", 8),
    ("xlsx", 8),
    ("pptx", 4),
    ("txt", 5),
    ("csv", 6),
    ("json", 4),
    ("zip", 4),
    ("svg", 3),
    ("gif", 2),
    ("mp4", 1),
)
FILE_STEMS = (
    "diagram",
    "screenshot",
    "report",
    "export",
    "notes",
    "budget",
    "slides",
    "logo",
    "trace",
    "design",
)
SELECTIONS = (
    "the rollback plan",
    "owner of this step",
    "by end of quarter",
    "p95 latency",
    "the old endpoint",
    "manual approval",
    "this number",
    "customer impact",
)
VERB_PHRASES = ("Review", "Update", "Follow up on", "Schedule a call about", "Write tests for", "Decide on", "Clean up")
COMMENT_MESSAGES = ("", "", "", "", "Fixed typos", "Updated after review", "Added details")


def _uuid(rng: random.Random) -> str:
    a, b, c = rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12)
    d, e = 0x8000 | rng.getrandbits(14), rng.getrandbits(48)
    return f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"


class _Picker:
    """Skewed choice of an index: a few items get most of the picks (Zipf-like)."""

    def __init__(self, n: int, exponent: float = 1.0) -> None:
        self.cum = list(accumulate(1.0 / (i + 1) ** exponent for i in range(n)))

    def pick(self, rng: random.Random) -> int:
        return bisect_left(self.cum, rng.random() * self.cum[-1])


def _version_count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.4:
        return 1
    if r < 0.8:
        return rng.randint(2, 5)
    if r < 0.95:
        return rng.randint(6, 20)
    return rng.randint(21, 60)


def _modified(rng: random.Random, created: int, versions: int, end: int = T_END) -> int:
    if versions == 1:
        return created
    return created + 1000 + int((end - created - 1000) * rng.random() ** 1.5)


def build_site(spec: SiteSpec) -> Site:
    # Generation allocates hundreds of thousands of long-lived objects and no cycles worth
    # collecting; pausing the cyclic GC meanwhile cuts generation time by about a third.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_site(spec)
    finally:
        if was_enabled:
            gc.enable()


def _build_site(spec: SiteSpec) -> Site:
    if spec.users < 1:
        raise ValueError("a site needs at least one user")
    if spec.spaces < 1 or spec.pages < spec.spaces:
        raise ValueError("a site needs at least one space and one page (the home page) per space")
    rng = random.Random(spec.seed)
    site = Site(spec=spec)

    # ---- users -------------------------------------------------------------------------
    users: list[User] = []
    seen_names: set[str] = set()
    for i in range(spec.users):
        is_app = i > 0 and spec.users >= 8 and rng.random() < 0.08
        if is_app:
            account_id = "557058:" + _uuid(rng)
            name = APP_NAMES[i % len(APP_NAMES)]
            base = name
            n = 2
            while name in seen_names:
                name = f"{base} {n}"
                n += 1
            seen_names.add(name)
            users.append(User(account_id, name, name, "", "app", "active", "UTC"))
            continue
        account_id = f"{rng.getrandbits(96):024x}"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        n = 2
        while name in seen_names:
            name = f"{first} {last} {n}"
            n += 1
        seen_names.add(name)
        hidden = i > 0 and rng.random() < 0.15
        email = "" if hidden else f"{first.lower()}.{last.lower()}@example.com".replace("'", "")
        status = "inactive" if i > 0 and rng.random() < 0.08 else "active"
        public = first if rng.random() < 0.3 else name
        users.append(User(account_id, name, public, email, "atlassian", status, rng.choice(TIME_ZONES)))
    site.users = {u.account_id: u for u in users}
    site.current_user_id = users[0].account_id
    humans = [u for u in users if u.account_type == "atlassian"]
    author_picker = _Picker(len(users), 0.9)

    def author() -> str:
        return users[author_picker.pick(rng)].account_id

    # ---- spaces ------------------------------------------------------------------------
    content_items: list[tuple[int, int, object]] = []  # (created ms, order, object) for id assignment
    order = 0

    def register(created: int, obj: object) -> None:
        nonlocal order
        content_items.append((created, order, obj))
        order += 1

    spaces: list[Space] = []
    for i in range(spec.spaces):
        personal = spec.spaces >= 4 and i == spec.spaces - 1
        created = T_START + int(rng.random() * 60 * DAY)
        if personal:
            owner = humans[min(1, len(humans) - 1)]
            space = Space(
                "",
                "~" + owner.account_id.replace(":", ""),
                owner.display_name,
                f"Personal space of {owner.display_name}",
                "personal",
                "current",
                owner.account_id,
                from_ms(created),
            )
        else:
            if i < len(BASE_SPACES):
                key, name = BASE_SPACES[i]
            else:
                key, name = f"PRJ{i + 1}", f"Project {rng.choice(WORDS).capitalize()} {i + 1}"
            archived = spec.spaces >= 8 and i == spec.spaces - 2
            space = Space(
                "",
                key,
                name,
                f"Home of the {name} team: {rng.choice(DOC_KINDS).lower()}, decisions and more.",
                "global",
                "archived" if archived else "current",
                author(),
                from_ms(created),
            )
        spaces.append(space)
        register(created, space)

    # ---- pages -------------------------------------------------------------------------
    weights = [1.0 / (i + 1) ** 0.8 for i in range(spec.spaces)]
    if spec.spaces >= 4:
        weights[-1] = weights[-1] * 0.2
    counts = [1] * spec.spaces
    for s in rng.choices(range(spec.spaces), weights, k=spec.pages - spec.spaces):
        counts[s] += 1

    pages: list[Page] = []
    page_children: dict[int, list[int]] = {}  # index in `pages` -> child indices
    page_space: list[int] = []
    for s, space in enumerate(spaces):
        n = counts[s]
        start = to_ms(space.created_at) + 60_000
        times = sorted(start + 3_600_000 + int((T_END - 30 * DAY - start) * rng.random() ** 0.8) for _ in range(n - 1))
        times.insert(0, start)
        titles: set[str] = set()
        first = len(pages)
        for k in range(n):
            created = times[k]
            if k == 0:
                title = f"{space.name} Home"
                parent = None
            else:
                topic = rng.choice(TOPICS)
                kind = rng.choice(DOC_KINDS)
                if kind in ("Meeting notes", "Retrospective"):
                    title = f"{from_ms(created):%Y-%m-%d} {kind} — {topic}"
                else:
                    title = f"{kind}: {topic}".capitalize() if rng.random() < 0.2 else f"{topic.capitalize()} {kind.lower()}"
                if k <= 4:
                    parent = first + k - 1  # a guaranteed chain so every tree is at least a few levels deep
                elif rng.random() < 0.2:
                    parent = first
                else:
                    parent = first + rng.randrange(k)
            base = title
            m = 2
            while title in titles:
                title = f"{base} ({m})"
                m += 1
            titles.add(title)
            versions = 1 if k == 0 and rng.random() < 0.5 else _version_count(rng)
            modified = _modified(rng, created, versions)
            page_author = author()
            page = Page(
                id="",
                space_id="",
                title=title,
                status="current",
                parent_id=None,
                position=None,
                author_id=page_author,
                owner_id=page_author if rng.random() < 0.9 else author(),
                created_at=from_ms(created),
                version=Version(
                    versions,
                    from_ms(modified),
                    page_author if versions == 1 else author(),
                    rng.choice(COMMENT_MESSAGES) if versions > 1 else "",
                    versions > 1 and rng.random() < 0.3,
                ),
                body_rev=versions,
            )
            idx = len(pages)
            pages.append(page)
            page_space.append(s)
            if parent is not None:
                page_children.setdefault(parent, []).append(idx)
                page.parent_id = parent  # index for now; replaced by the id below
            register(created, page)
        # archived and trashed pages are leaves so that the remaining tree stays connected
        for idx in range(first + 1, len(pages)):
            if idx in page_children:
                continue
            r = rng.random()
            if r < 0.05:
                pages[idx].status = "archived"
            elif r < 0.06:
                pages[idx].status = "trashed"

    # ---- blog posts --------------------------------------------------------------------
    blogs: list[BlogPost] = []
    blog_space: list[int] = []
    for _ in range(spec.blog_posts):
        s = rng.choices(range(spec.spaces), weights)[0]
        start = to_ms(spaces[s].created_at) + DAY
        created = start + int((T_END - 7 * DAY - start) * rng.random() ** 0.7)
        versions = _version_count(rng) if rng.random() < 0.5 else 1
        blog_author = author()
        title = f"{rng.choice(BLOG_KINDS)}: {rng.choice(TOPICS)} ({from_ms(created):%b %d, %Y})"
        blog = BlogPost(
            id="",
            space_id="",
            title=title,
            status="trashed" if rng.random() < 0.02 else "current",
            author_id=blog_author,
            created_at=from_ms(created),
            version=Version(
                versions,
                from_ms(_modified(rng, created, versions)),
                blog_author,
                "",
                versions > 1 and rng.random() < 0.3,
            ),
            body_rev=versions,
        )
        blogs.append(blog)
        blog_space.append(s)
        register(created, blog)

    containers: list[Page | BlogPost] = list(pages) + list(blogs)
    popularity = list(range(len(pages)))
    rng.shuffle(popularity)
    blog_popularity = list(range(len(blogs)))
    rng.shuffle(blog_popularity)

    def pick_container() -> int:
        """Index into `containers`: mostly pages, a few popular items get most activity."""
        if blogs and (not pages or rng.random() < 0.15):
            return len(pages) + blog_popularity[int(len(blogs) * rng.random() ** 2.5)]
        return popularity[int(len(pages) * rng.random() ** 2.5)]

    def after(created: int, skew: float = 2.0) -> int:
        return created + 60_000 + int((T_END - created - 60_000) * rng.random() ** skew)

    # ---- comments ----------------------------------------------------------------------
    by_container: dict[int, list[tuple[int, str]]] = {}
    for kind, total in (("footer", spec.footer_comments), ("inline", spec.inline_comments)):
        for _ in range(total):
            by_container.setdefault(pick_container(), []).append((0, kind))
    comments: list[Comment] = []
    comment_container: list[int] = []
    for ci in sorted(by_container):
        container = containers[ci]
        c_created = to_ms(container.created_at)
        entries = sorted((after(c_created), kind) for _, kind in by_container[ci])
        roots: dict[str, list[Comment]] = {"footer": [], "inline": []}
        for created, kind in entries:
            versions = 1 if rng.random() < 0.85 else rng.randint(2, 3)
            comment_author = author()
            comment = Comment(
                id="",
                comment_type=kind,
                container_id="",
                container_type="page" if ci < len(pages) else "blogpost",
                title="Re: " + container.title,
                status="current",
                created_at=from_ms(created),
                version=Version(versions, from_ms(_modified(rng, created, versions)), comment_author),
                body_rev=versions,
                created_by=comment_author,
            )
            parent = None
            if roots[kind] and rng.random() < (0.3 if kind == "footer" else 0.15):
                parent = rng.choice(roots[kind])
                comment.parent_comment_id = parent  # object for now; replaced by its id below
            if kind == "inline":
                if parent is not None:
                    comment.resolution_status = parent.resolution_status
                    comment.inline_marker_ref = parent.inline_marker_ref
                    comment.inline_original_selection = parent.inline_original_selection
                else:
                    r = rng.random()
                    comment.resolution_status = (
                        "resolved" if r < 0.55 else "open" if r < 0.95 else "reopened" if r < 0.98 else "dangling"
                    )
                    comment.inline_marker_ref = _uuid(rng)
                    comment.inline_original_selection = rng.choice(SELECTIONS)
                if comment.resolution_status in ("resolved", "reopened", "dangling"):
                    comment.resolution_last_modifier_id = author()
                    comment.resolution_last_modified_at = from_ms(after(created, 3.0))
            if parent is None:
                roots[kind].append(comment)
            comments.append(comment)
            comment_container.append(ci)
            register(created, comment)

    # ---- attachments -------------------------------------------------------------------
    file_kinds = [k for k, _ in FILE_KINDS]
    file_weights = [w for _, w in FILE_KINDS]
    attachments: list[Attachment] = []
    att_container: list[int] = []
    names_used: dict[int, set[str]] = {}
    for _ in range(spec.attachments):
        ci = pick_container()
        container = containers[ci]
        ext = rng.choices(file_kinds, file_weights)[0]
        used = names_used.setdefault(ci, set())
        name = f"{rng.choice(FILE_STEMS)}-{rng.randint(1, 99)}.{ext}"
        while name in used:
            name = f"{rng.choice(FILE_STEMS)}-{rng.randint(100, 99_999)}.{ext}"
        used.add(name)
        media_type, description = MEDIA_TYPES[ext]
        created = after(to_ms(container.created_at), 2.5)
        versions = 1 if rng.random() < 0.8 else rng.randint(2, 5)
        size = int(min(200_000_000, max(120, math.exp(rng.gauss(11.0, 1.8)))))
        att = Attachment(
            id="",
            container_id="",
            container_type="page" if ci < len(pages) else "blogpost",
            title=name,
            status="current",
            media_type=media_type,
            media_type_description=description,
            file_size=size,
            comment="" if rng.random() < 0.6 else f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} v{versions}",
            file_id=_uuid(rng),
            created_at=from_ms(created),
            version=Version(versions, from_ms(_modified(rng, created, versions)), author(), "", False),
        )
        attachments.append(att)
        att_container.append(ci)
        register(created, att)

    # ---- content ids in creation order ---------------------------------------------------
    content_items.sort(key=lambda item: (item[0], item[1]))
    num = 65_536 + rng.randrange(30_000)
    for _, _, obj in content_items:
        num += 1 + (rng.random() < 0.3) * rng.randrange(1, 5)
        obj.num = num  # type: ignore[attr-defined]
        obj.id = f"att{num}" if isinstance(obj, Attachment) else str(num)  # type: ignore[attr-defined]
    site.next_content_id = num + 1000

    for space in spaces:
        site.spaces[space.id] = space
    for idx, page in enumerate(pages):
        space = spaces[page_space[idx]]
        page.space_id = space.id
        if page.parent_id is not None:
            page.parent_id = pages[page.parent_id].id  # type: ignore[index]
    for idx, page in enumerate(pages):
        if page.parent_id is None:
            space = spaces[page_space[idx]]
            space.homepage_id = page.id
    for parent_idx, kids in page_children.items():
        # Positions follow creation order among siblings, as pages are appended in the tree.
        for pos, kid in enumerate(kids):
            pages[kid].position = pos
        site.children[pages[parent_idx].id] = [pages[k].id for k in kids]
    site.pages = {p.id: p for p in pages}
    for idx, blog in enumerate(blogs):
        blog.space_id = spaces[blog_space[idx]].id
    site.blog_posts = {b.id: b for b in blogs}
    for idx, comment in enumerate(comments):
        comment.container_id = containers[comment_container[idx]].id
        if comment.parent_comment_id is not None:
            comment.parent_comment_id = comment.parent_comment_id.id  # type: ignore[attr-defined]
    comments.sort(key=lambda c: c.num)
    site.comments = {c.id: c for c in comments}
    for c in comments:
        site.comments_by_container.setdefault(c.container_id, []).append(c.id)
        if c.comment_type == "inline" and c.parent_comment_id is None:
            site.inline_roots_by_container.setdefault(c.container_id, []).append(c.id)
    for idx, att in enumerate(attachments):
        att.container_id = containers[att_container[idx]].id
    attachments.sort(key=lambda a: a.num)
    site.attachments = {a.id: a for a in attachments}
    for a in attachments:
        site.attachments_by_container.setdefault(a.container_id, []).append(a.id)
    owners = {u.account_id: u for u in users}
    for space in spaces:
        if space.type == "personal" and space.author_id in owners:
            owners[space.author_id].personal_space_id = space.id

    # ---- tasks -------------------------------------------------------------------------
    tasks: list[Task] = []
    per_container: dict[int, int] = {}
    while len(tasks) < spec.tasks:
        ci = pick_container()
        container = containers[ci]
        n = min(spec.tasks - len(tasks), 1 + int(rng.random() ** 2 * 8))
        c_created = to_ms(container.created_at)
        c_modified = to_ms(container.version.created_at)
        space_id = container.space_id
        for _ in range(n):
            per_container[ci] = per_container.get(ci, 0) + 1
            created = c_created + int((c_modified - c_created) * rng.random())
            complete = rng.random() < 0.4
            assignee = users[author_picker.pick(rng)].account_id if rng.random() < 0.6 else None
            due = (created // DAY + rng.randint(1, 60)) * DAY if rng.random() < 0.4 else None
            blank = rng.random() < 0.03
            if blank:
                # Assignee and due date are read from the task's text (a mention, a date): a blank
                # task has neither.
                body, assignee, due = "", None, None
            else:
                parts = [xml_escape(f"{rng.choice(VERB_PHRASES)} {rng.choice(TOPICS)}")]
                if assignee is not None:
                    parts.append(f'<ac:link><ri:user ri:account-id="{assignee}" /></ac:link>')
                if due is not None:
                    parts.append(f'<time datetime="{from_ms(due):%Y-%m-%d}" />')
                body = " ".join(parts)
            task = Task(
                id="",
                local_id=str(per_container[ci]),
                space_id=space_id,
                container_id=container.id,
                container_type="page" if ci < len(pages) else "blogpost",
                status="complete" if complete else "incomplete",
                body=body,
                created_by=container.author_id if rng.random() < 0.7 else author(),
                created_at=from_ms(created),
                updated_at=from_ms(created),
                assigned_to=assignee,
                due_at=from_ms(due) if due is not None else None,
            )
            if complete:
                done = created + int((c_modified - created) * rng.random())
                task.completed_at = from_ms(done)
                task.updated_at = from_ms(done)
                task.completed_by = assignee or task.created_by
            elif rng.random() < 0.2:
                task.updated_at = from_ms(created + int((c_modified - created) * rng.random()))
            tasks.append(task)
    tasks.sort(key=lambda t: (to_ms(t.created_at), int(t.container_id), int(t.local_id)))
    tnum = 1_000_000 + rng.randrange(100_000)
    for t in tasks:
        tnum += 1 + (rng.random() < 0.2) * rng.randrange(1, 3)
        t.num = tnum
        t.id = str(tnum)
    site.next_task_id = tnum + 1000
    site.tasks = {t.id: t for t in tasks}
    for t in sorted(tasks, key=lambda t: (int(t.container_id), int(t.local_id))):
        site.tasks_by_container.setdefault(t.container_id, []).append(t.id)

    # ---- labels ------------------------------------------------------------------------
    names: list[str] = list(BASE_LABELS[: spec.labels])
    taken = set(names)
    while len(names) < spec.labels:
        candidate = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        if candidate in taken:
            candidate = f"{candidate}-{len(names)}"
        if candidate not in taken:
            taken.add(candidate)
            names.append(candidate)
    label_times = sorted(T_START + int((T_END - T_START) * rng.random() ** 1.3) for _ in names)
    lnum = 2_000_000 + rng.randrange(100_000)
    labels: list[Label] = []
    for i, name in enumerate(names):
        lnum += 1 + rng.randrange(4)
        r = rng.random()
        prefix = "global" if i < 5 or r < 0.9 else "my" if r < 0.95 else "team"
        labels.append(Label(str(lnum), name, prefix, from_ms(label_times[i]), lnum))
    if len(labels) >= 2 and not any(lb.prefix == "team" for lb in labels):
        labels[-1].prefix = "team"  # spaces are labelled with team labels (space categories)
    site.next_label_id = lnum + 1000
    site.labels = {lb.id: lb for lb in labels}
    site.content_by_label = {lb.id: {} for lb in labels}
    content_labels = [lb for lb in labels if lb.prefix != "team"]
    team_labels = [lb for lb in labels if lb.prefix == "team"] or labels[:1]

    def assign(content_id: str, label: Label) -> None:
        assigned = site.labels_by_content.setdefault(content_id, [])
        if label.id not in assigned:
            assigned.append(label.id)
            site.content_by_label[label.id][content_id] = None

    if content_labels:
        picker = _Picker(len(content_labels), 1.1)
        for obj in containers:
            r = rng.random()
            k = 0 if r < 0.45 else 1 if r < 0.75 else 2 if r < 0.9 else rng.randint(3, 6)
            for _ in range(k):
                assign(obj.id, content_labels[picker.pick(rng)])
        for att in attachments:
            if rng.random() < 0.1:
                assign(att.id, content_labels[picker.pick(rng)])
    if team_labels:
        for space in spaces:
            for _ in range(rng.randint(0, 2)):
                assign(space.id, rng.choice(team_labels))

    # ---- bodies ------------------------------------------------------------------------
    space_by_id = site.spaces
    sample = rng.sample(pages, min(len(pages), 400))
    refs = [PageRef(p.id, p.title, space_by_id[p.space_id].key) for p in sample]
    people = [Mentionable(u.account_id, u.display_name) for u in humans]
    jira = [s.key for s in spaces if s.type == "global"][:6]
    site.bodies = BodyFactory(spec.seed, spec.body_bytes, people, refs, jira)
    return site
