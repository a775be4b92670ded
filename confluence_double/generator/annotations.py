"""Tasks, labels and the body factory."""

from __future__ import annotations

from ..bodies import WORDS, BodyFactory, Mentionable, PageRef, xml_escape
from ..model import Label, Task, from_ms, to_ms
from .randomness import Picker
from .vocabulary import BASE_LABELS, DAY, T_END, T_START, TOPICS, VERB_PHRASES


class AnnotationSteps:
    """Tasks, labels and the body factory.

    A mixin of ``SiteBuilder``: its steps run in a fixed order on one random stream.
    """

    def _tasks(self) -> None:
        """Task lists in containers; assignees and due dates live in the task text."""
        rng, spec, site = self.rng, self.spec, self.site
        author = self.author
        containers, pages, users, author_picker = self.containers, self.pages, self.users, self.author_picker
        pick_container = self.pick_container
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

    def _labels(self) -> None:
        """Labels (a few team labels for spaces) assigned with a skew."""
        rng, spec, site = self.rng, self.spec, self.site
        containers, attachments, spaces = self.containers, self.attachments, self.spaces
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
            picker = Picker(len(content_labels), 1.1)
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

    def _bodies(self) -> None:
        """The body factory: mentions of humans, links to a sample of pages."""
        rng, spec, site = self.rng, self.spec, self.site
        pages, spaces, humans = self.pages, self.spaces, self.humans
        space_by_id = site.spaces
        sample = rng.sample(pages, min(len(pages), 400))
        refs = [PageRef(p.id, p.title, space_by_id[p.space_id].key) for p in sample]
        people = [Mentionable(u.account_id, u.display_name) for u in humans]
        jira = [s.key for s in spaces if s.type == "global"][:6]
        site.bodies = BodyFactory(spec.seed, spec.body_bytes, people, refs, jira)
