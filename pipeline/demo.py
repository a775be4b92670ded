"""`python -m pipeline demo`: the whole job against the bundled sample site.

The sample site is the Confluence double (``confluence_double``) generated from a
fixed spec and seed. The first run syncs it whole. Every later run regenerates the same site,
replays the scripted batches of earlier runs at the times they were first applied (kept in
``demo_state.json``), checks that this reproduced the state the previous run synced (a fingerprint),
then applies this run's batch (edits, new pages, trashed and purged pages, comments, completed tasks,
label changes) timestamped after everything before it, and runs an incremental sync.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, TextIO

from pipeline.summary import count_phrase
from pipeline.sync import prepare_environment

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without an install: the double sits beside pipeline/
    sys.path.insert(0, str(REPO))

from confluence_double import ConfluenceDouble, Site, SiteSpec  # noqa: E402

# Folders and restrictions so the access section has nested folders and restricted pages; groups,
# space permissions, decisions (in meeting notes) and page views come with every generated site.
DEMO_SPEC = SiteSpec(spaces=4, pages=3000, blog_posts=300, footer_comments=2000, inline_comments=600, tasks=1000,
                     attachments=800, labels=40, users=40, seed=7, body_bytes=1500, folders=3, restricted=60)
STATE_FILE = "demo_state.json"
DB_FILE = "confluence.duckdb"
REPORT_FILE = "report.html"
STATE_FORMAT = 1

# What one scripted batch does, in the order applied.
BATCH = {
    "page edits": 12,
    "tasks completed": 5,
    "blog post edits": 1,
    "new pages": 3,
    "new comments": 8,
    "new attachments": 2,
    "labels added": 4,
    "labels removed": 2,
    "pages trashed": 2,
    "pages purged": 1,
}
TOPICS = ("incident review", "API gateway", "on-call handbook", "Q4 planning", "data retention", "release train")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def fingerprint(site: Site) -> str:
    """Identity of a site's state: every object's id, status and version, every label assignment."""
    digest = hashlib.sha256()
    for kind, objects in (("page", site.pages), ("blog", site.blog_posts), ("comment", site.comments),
                          ("attachment", site.attachments)):
        for obj in sorted(objects.values(), key=lambda o: o.id):
            digest.update(f"{kind}:{obj.id}:{obj.status}:{obj.version.number}:{obj.version.created_at}\n".encode())
    for task in sorted(site.tasks.values(), key=lambda t: t.id):
        digest.update(f"task:{task.id}:{task.status}:{task.updated_at}\n".encode())
    for content_id in sorted(site.labels_by_content):
        digest.update(f"labels:{content_id}:{','.join(sorted(site.labels_by_content[content_id]))}\n".encode())
    return digest.hexdigest()


def apply_batch(site: Site, run: int, at: datetime) -> dict[str, int]:
    """Run ``run``'s scripted changes, each 1 ms after the previous one from ``at``.

    Every choice comes from a generator seeded with the run number, over lists sorted by id, so the
    same site state and run number always give the same changes.
    """
    rng = random.Random(f"confluence-demo-batch-{run}")  # noqa: S311 - reproducible choices, not security
    clock: Iterator[datetime] = (at + timedelta(milliseconds=i) for i in count())
    people = sorted(u.account_id for u in site.users.values()
                    if u.account_type == "atlassian" and u.account_status == "active") or sorted(site.users)

    def some(population: list[Any], wanted: int) -> list[Any]:  # a small site may have fewer candidates
        return rng.sample(population, min(wanted, len(population)))

    def by_id(objects: Any) -> list[Any]:
        return sorted(objects, key=lambda o: int(o.id))

    homepages = {s.homepage_id for s in site.spaces.values()}
    current = by_id(p for p in site.pages.values() if p.status == "current")
    leaves = [p for p in current if not site.children.get(p.id) and p.id not in homepages]
    # Purge pages that have comments, so the sync shows them going too (as tombstones).
    discussed = [p for p in leaves if site.comments_by_container.get(p.id)] or leaves
    purged = some(discussed, BATCH["pages purged"])
    trashed = some([p for p in leaves if p not in purged], BATCH["pages trashed"])
    doomed = {p.id for p in trashed + purged}
    spared = [p for p in current if p.id not in doomed]
    edited = some(spared, BATCH["page edits"])
    blogs = by_id(b for b in site.blog_posts.values() if b.status == "current")
    open_containers = ({p.id for p in spared} - {p.id for p in edited}) | {b.id for b in blogs}
    open_tasks = sorted((t for t in site.tasks.values() if t.status == "incomplete" and t.container_id in open_containers),
                        key=lambda t: int(t.id))
    rng.shuffle(open_tasks)
    completing, containers = [], set()
    for task in open_tasks:  # one task per page or blog post, so each completion is one new version
        if task.container_id not in containers:
            completing.append(task)
            containers.add(task.container_id)
        if len(completing) == BATCH["tasks completed"]:
            break
    blog_edits = some([b for b in blogs if b.id not in containers], BATCH["blog post edits"])
    label_names = sorted(lb.name for lb in site.labels.values() if lb.prefix == "global")

    for page in edited:
        site.edit_page(page.id, at=next(clock), author_id=rng.choice(people), message="Updated for the demo")
    for task in completing:
        site.complete_task(task.id, by_account_id=task.assigned_to or rng.choice(people), at=next(clock))
    for blog in blog_edits:
        site.edit_blog_post(blog.id, at=next(clock), author_id=rng.choice(people))
    for i in range(BATCH["new pages"]):
        parent = rng.choice(spared)
        site.create_page(parent.space_id, f"{rng.choice(TOPICS).capitalize()} notes (demo run {run}, #{i + 1})",
                         parent_id=parent.id, at=next(clock), author_id=rng.choice(people))
    commented = some(spared, BATCH["new comments"])
    for i, page in enumerate(commented):
        kind = "inline" if i % 4 == 3 else "footer"
        site.add_comment(page.id, f"<p>Demo run {run}: comment {i + 1} on this page.</p>", comment_type=kind,
                         at=next(clock), author_id=rng.choice(people))
    attached = some(spared, BATCH["new attachments"])
    for i, page in enumerate(attached):
        site.add_attachment(page.id, f"demo-run-{run}-{i + 1}.pdf", "application/pdf", 20_000 + 1000 * i,
                            at=next(clock), author_id=rng.choice(people))
    added, relabelled = 0, set()
    for page in rng.sample(spared, len(spared)) if label_names else []:
        if added == BATCH["labels added"]:
            break
        have = {lb.name for lb in site.labels_of(page.id)}
        name = rng.choice(label_names)
        if name not in have:
            site.add_label(page.id, name, at=next(clock))
            added += 1
            relabelled.add(page.id)
    labelled = [p for p in spared if site.labels_of(p.id) and p.id not in relabelled]
    unlabelled = some(labelled, BATCH["labels removed"])
    for page in unlabelled:
        site.remove_label(page.id, site.labels_of(page.id)[0].name, at=next(clock))
    for page in trashed:
        site.trash_page(page.id, at=next(clock), author_id=rng.choice(people))
    for page in purged:
        site.purge_page(page.id, at=next(clock))
    done = (len(edited), len(completing), len(blog_edits), BATCH["new pages"], len(commented), len(attached), added,
            len(unlabelled), len(trashed), len(purged))
    return dict(zip(BATCH, done, strict=True))


class DemoState:
    """``demo_state.json``: the spec and, per run, when its batch was applied and the resulting site."""

    def __init__(self, directory: Path, spec: SiteSpec) -> None:
        self.directory = directory
        self.spec = spec
        self.path = directory / STATE_FILE
        self.runs: list[dict[str, Any]] = []

    def load(self) -> bool:
        """True when a previous demo's state matches this spec and its DuckDB file still exists."""
        if not self.path.exists() or not (self.directory / DB_FILE).exists():
            return False
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError:
            return False
        if saved.get("format") != STATE_FORMAT or saved.get("spec") != asdict(self.spec):
            return False
        self.runs = list(saved.get("runs", []))
        return bool(self.runs)

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"format": STATE_FORMAT, "spec": asdict(self.spec), "runs": self.runs}, indent=2)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(self.path)

    def reset(self) -> None:
        self.runs = []
        for name in (DB_FILE, DB_FILE + ".wal", STATE_FILE):
            (self.directory / name).unlink(missing_ok=True)


def prepare_site(directory: Path, spec: SiteSpec = DEMO_SPEC, now: datetime | None = None,
                 out: TextIO | None = None) -> tuple[ConfluenceDouble, DemoState, int, dict[str, int] | None]:
    """The double for this run, with earlier batches replayed and this run's batch applied.

    Returns the (not yet started) double, the state with this run recorded, the run number and the
    batch applied (None on the first run).
    """
    out = out or sys.stdout
    state = DemoState(directory, spec)
    resumed = state.load()
    double = ConfluenceDouble(spec)
    if resumed:
        for entry in state.runs[1:]:
            apply_batch(double.site, entry["run"], _parse(entry["batch_at"]))
        if fingerprint(double.site) != state.runs[-1]["fingerprint"]:
            out.write("The sample site no longer matches the previous demo run (the generator changed?); "
                      "starting over with a first sync.\n")
            resumed = False
            double = ConfluenceDouble(spec)
    if not resumed:
        state.reset()
        state.runs.append({"run": 1, "batch_at": None, "fingerprint": fingerprint(double.site), "completed": False})
        state.save()
        return double, state, 1, None
    previous = state.runs[-1]
    at = now or datetime.now(UTC)
    earlier = [_parse(t) for t in (previous.get("finished_at"), previous.get("batch_at")) if t]
    if earlier:  # after everything the previous run saw, even if the clock went back
        at = max(at, max(earlier) + timedelta(seconds=1))
    at = _ms(at)
    run = previous["run"] + 1
    applied = apply_batch(double.site, run, at)
    # Recorded before the sync: if it fails halfway the cache may hold part of this batch, so the
    # next run must replay it rather than script a different one.
    state.runs.append({"run": run, "batch_at": _iso(at), "fingerprint": fingerprint(double.site), "completed": False})
    state.save()
    return double, state, run, applied


def finish_run(state: DemoState, records: dict[str, int]) -> None:
    state.runs[-1].update(completed=True, finished_at=_iso(datetime.now(UTC)), records=records)
    state.save()


def demo_config(double: ConfluenceDouble) -> dict[str, Any]:
    # Check for purged content and read every label, group and space permission on every sync: demo
    # runs are minutes apart, not a day.
    # Page views are opt-in; the demo turns them on (within the default request budget) for the
    # engagement section.
    return {**double.config(), "deletion_check_interval_hours": 0, "label_reconciliation_interval_hours": 0,
            "access_reconciliation_interval_hours": 0, "page_views": True}


def run_demo(directory: Path, out: TextIO | None = None, spec: SiteSpec = DEMO_SPEC) -> int:
    from pipeline.job import DbtFailure, run_job
    from pipeline.progress import SyncFailure

    out = out or sys.stdout
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    prepare_environment(log_dir=directory / "logs")
    double, state, run, applied = prepare_site(directory, spec, out=out)
    site = double.site
    out.write(f"Sample Confluence site: {len(site.spaces)} spaces, {len(site.pages):,} pages, "
              f"{len(site.blog_posts):,} blog posts, {len(site.comments):,} comments, {len(site.tasks):,} tasks "
              f"(demo run {run}{', first sync' if run == 1 else ', incremental sync'})\n")
    if applied:
        out.write("Changes made in Confluence since the last run: "
                  + ", ".join(count_phrase(n, what) for what, n in applied.items()) + "\n")
    heading = f"Confluence report: sample site, demo run {run}"
    subtitle = "first sync of the bundled sample site" if run == 1 else \
        f"incremental sync after the scripted changes of {state.runs[-1]['batch_at']}"
    try:
        with double:
            result = run_job(demo_config(double), directory / DB_FILE, directory / REPORT_FILE, directory,
                             heading=heading, subtitle=subtitle, applied=applied, out=out,
                             notes=["Links point to the sample site, which runs only while the demo syncs."])
    except SyncFailure as failure:
        out.write(failure.describe() + "\n")
        return 1
    except DbtFailure as failure:
        out.write(failure.describe() + "\n")
        return 2
    finish_run(state, result.sync.records)
    (directory / "summary.txt").write_text(result.summary + "\n", encoding="utf-8")
    out.write("\n" + result.summary + "\n")
    out.write(f"\nOpen {directory / REPORT_FILE} in a browser. Run `make demo` again for an incremental sync "
              "of the next batch of changes.\n")
    return 0
