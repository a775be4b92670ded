"""Deterministic storage-format and ADF bodies for generated content.

Bodies are never stored for generated objects: a page body is derived from (site seed, object
number, body revision) by picking blocks from a per-site pool of pre-rendered blocks, plus a few
parts that depend on live site state (task list, inline-comment markers, embedded images). That
keeps a 100,000-page site small in memory and makes every read of the same revision identical.
"""

from __future__ import annotations

import json
import random
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate

POOL_SIZE = 640
RUN_LENGTH = 1 << 18
COMMENT_BYTES = 220
COMMENT_POOL_SIZE = 256

WORDS = (
    "service cluster deploy rollout pipeline latency budget owner review schedule migration schema "
    "index cache queue consumer producer contract quota tenant region backup restore audit policy "
    "release ticket customer escalation feature flag experiment metric dashboard alert incident "
    "runbook handover sprint backlog roadmap milestone dependency risk decision proposal draft "
    "approval vendor invoice forecast campaign launch audience segment funnel retention onboarding "
    "checklist template workflow integration endpoint payload token certificate firewall gateway "
    "storage bucket partition replica failover throughput capacity cost estimate baseline target"
).split()

VERBS = (
    "updates validates replaces monitors documents tracks reduces improves blocks unblocks migrates "
    "reviews publishes archives owns schedules escalates approves rejects measures"
).split()

ADJECTIVES = (
    "critical stable legacy shared internal external weekly quarterly temporary manual automated "
    "regional primary secondary pending approved deprecated experimental"
).split()

LANGUAGES = ("python", "java", "sql", "bash", "yaml", "json", "go", "javascript")
CODE_SNIPPETS = (
    "def retry(call, attempts=3):\n    for n in range(attempts):\n        if call():\n            return n\n    return -1\n",
    "SELECT space_key, count(*) AS pages\nFROM pages\nWHERE status = 'current' AND size < 10 & 3\nGROUP BY space_key;\n",
    'kubectl -n payments rollout restart deploy/api && echo "done <ok>"\n',
    "retries: 3\ntimeout_seconds: 30\nendpoints:\n  - https://api.example.com/v1\n",
    '{"feature": "dark-mode", "enabled": true, "rollout": 0.25}\n',
    "for i := 0; i < n; i++ {\n    if items[i] < threshold && ok {\n        count++\n    }\n}\n",
    "public int size() {\n    return items == null ? 0 : items.size(); // <empty> => 0\n}\n",
    "const total = rows.filter(r => r.amount > 0).reduce((a, r) => a + r.amount, 0);\n",
)
PANEL_TYPES = (("info", "info"), ("note", "note"), ("warning", "warning"), ("tip", "success"))
STATUS_LOZENGES = (
    ("DONE", "Green", "green"),
    ("IN PROGRESS", "Yellow", "yellow"),
    ("BLOCKED", "Red", "red"),
    ("NOT STARTED", "Grey", "neutral"),
    ("IN REVIEW", "Blue", "blue"),
)
IMAGE_NAMES = ("architecture.png", "flow-diagram.png", "screenshot.png", "timeline.jpg", "org-chart.png")
EXTERNAL_LINKS = (
    "https://example.com/handbook",
    "https://status.example.com/",
    "https://docs.example.org/api?version=2&format=json",
    "https://example.net/reports/q3",
)


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _uuid(rng: random.Random) -> str:
    a, b, c = rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12)
    d, e = 0x8000 | rng.getrandbits(14), rng.getrandbits(48)
    return f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"


def _text(value: str, marks: list[dict] | None = None) -> dict:
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = marks
    return node


def _para(nodes: list[dict]) -> dict:
    return {"type": "paragraph", "content": nodes} if nodes else {"type": "paragraph"}


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page a generated body may link to (title and location are fixed at generation)."""

    id: str
    title: str
    space_key: str


@dataclass(frozen=True, slots=True)
class Mentionable:
    account_id: str
    display_name: str


def _enc(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


ADF_HEAD = '{"type":"doc","version":1,"content":['
ADF_TAIL = "]}"
ADF_HEAD_ESCAPED = _enc(ADF_HEAD)[1:-1]
ADF_TAIL_ESCAPED = _enc(ADF_TAIL)[1:-1]


class Block:
    """A piece of body in storage format and its ADF nodes, with lazily cached JSON encodings.

    JSON escaping works character by character, so joining escaped pieces equals escaping the
    joined text: responses splice pre-escaped blocks instead of re-encoding whole bodies.
    """

    __slots__ = ("storage", "adf", "_storage_json", "_adf_json", "_adf_escaped")

    def __init__(self, storage: str, adf: tuple[dict, ...]) -> None:
        self.storage = storage
        self.adf = adf
        self._storage_json: str | None = None
        self._adf_json: str | None = None
        self._adf_escaped: str | None = None

    @property
    def storage_json(self) -> str:
        """The storage text escaped as JSON string content (no quotes)."""
        if self._storage_json is None:
            self._storage_json = _enc(self.storage)[1:-1]
        return self._storage_json

    @property
    def adf_json(self) -> str:
        """The ADF nodes as comma-separated compact JSON, ready to go inside a content array."""
        if self._adf_json is None:
            self._adf_json = ",".join(_enc(node) for node in self.adf)
        return self._adf_json

    @property
    def adf_escaped(self) -> str:
        if self._adf_escaped is None:
            self._adf_escaped = _enc(self.adf_json)[1:-1]
        return self._adf_escaped


@dataclass(frozen=True, slots=True)
class DynamicParts:
    """Parts of a body that reflect live site state; each item is (storage, adf nodes)."""

    tasks: Block | None
    markers: Block | None
    images: Block | None


class BodyFactory:
    """Builds pools of blocks once per site and composes bodies from them on demand."""

    def __init__(
        self,
        seed: int,
        body_bytes: int,
        people: Sequence[Mentionable],
        pages: Sequence[PageRef],
        jira_projects: Sequence[str],
    ) -> None:
        self.seed = seed
        self.body_bytes = max(1, body_bytes)
        self._people = list(people)
        self._pages = list(pages)
        self._jira = list(jira_projects) or ["PROJ"]
        rng = random.Random(seed * 7919 + 17)
        self._rng = rng
        self._salt = seed * 0x632BE5AB & 0xFFFFFFFF
        makers = (
            (self._heading, 10),
            (self._paragraph_block, 30),
            (self._list_block, 12),
            (self._table_block, 8),
            (self._code_block, 8),
            (self._panel_block, 8),
            (self._image_block, 5),
            (self._macro_block, 5),
            (self._rule_or_quote, 4),
        )
        funcs = [m for m, _ in makers]
        weights = [w for _, w in makers]
        self.pool: list[Block] = [rng.choices(funcs, weights)[0]() for _ in range(POOL_SIZE)]
        self.comment_pool: list[Block] = [self._comment_block() for _ in range(COMMENT_POOL_SIZE)]
        # Windows cover whole multiples of the body size, so the run length scales with it.
        mean_block = sum(len(b.storage) for b in self.pool) / len(self.pool)
        length = max(RUN_LENGTH, int(8 * self.body_bytes / mean_block))
        self._runs = _Runs(self.pool, length, rng)
        self._comment_runs = _Runs(self.comment_pool, RUN_LENGTH // 4, rng)

    # ---- inline pieces -------------------------------------------------------------------
    def _words(self, n: int) -> str:
        rng = self._rng
        return " ".join(rng.choice(WORDS) for _ in range(n))

    def _sentence(self) -> str:
        rng = self._rng
        return f"The {rng.choice(ADJECTIVES)} {rng.choice(WORDS)} {rng.choice(VERBS)} the {rng.choice(WORDS)} {rng.choice(WORDS)}"

    def _inline(self) -> tuple[str, list[dict]]:
        """One inline element of a paragraph: storage fragment and ADF nodes."""
        rng = self._rng
        kind = rng.randrange(12)
        if kind == 0:
            w = self._words(2)
            return f"<strong>{w}</strong>", [_text(w, [{"type": "strong"}])]
        if kind == 1:
            w = self._words(2)
            return f"<em>{w}</em>", [_text(w, [{"type": "em"}])]
        if kind == 2:
            href = rng.choice(EXTERNAL_LINKS)
            w = self._words(2)
            return (
                f'<a href="{xml_escape(href)}">{w}</a>',
                [_text(w, [{"type": "link", "attrs": {"href": href}}])],
            )
        if kind == 3 and self._pages:
            ref = rng.choice(self._pages)
            storage = (
                f'<ac:link><ri:page ri:space-key="{xml_escape(ref.space_key)}" '
                f'ri:content-title="{xml_escape(ref.title)}" /></ac:link>'
            )
            url = f"/wiki/spaces/{ref.space_key}/pages/{ref.id}"
            return storage, [{"type": "inlineCard", "attrs": {"url": url}}]
        if kind == 4 and self._people:
            person = rng.choice(self._people)
            storage = f'<ac:link><ri:user ri:account-id="{person.account_id}" /></ac:link>'
            attrs = {"id": person.account_id, "text": "@" + person.display_name, "accessLevel": ""}
            return storage, [{"type": "mention", "attrs": attrs}]
        if kind == 5:
            day = datetime(2023 + rng.randrange(4), 1 + rng.randrange(12), 1 + rng.randrange(28), tzinfo=UTC)
            stamp = str(int(day.timestamp() * 1000))
            return f'<time datetime="{day:%Y-%m-%d}" />', [{"type": "date", "attrs": {"timestamp": stamp}}]
        if kind == 6:
            title, colour, adf_colour = rng.choice(STATUS_LOZENGES)
            macro_id = _uuid(rng)
            storage = (
                f'<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="{macro_id}">'
                f'<ac:parameter ac:name="title">{title}</ac:parameter>'
                f'<ac:parameter ac:name="colour">{colour}</ac:parameter></ac:structured-macro>'
            )
            return storage, [{"type": "status", "attrs": {"text": title, "color": adf_colour, "localId": macro_id}}]
        if kind == 7:
            w = rng.choice(WORDS) + "_" + rng.choice(WORDS)
            return f"<code>{w}</code>", [_text(w, [{"type": "code"}])]
        w = self._words(rng.randint(3, 9))
        return w, [_text(w)]

    def _paragraph(self) -> tuple[str, dict]:
        rng = self._rng
        parts = [self._sentence() + ", see "]
        nodes = [_text(parts[0])]
        for _ in range(rng.randint(1, 4)):
            storage, adf = self._inline()
            parts.append(storage)
            nodes.extend(adf)
            parts.append(" ")
            nodes.append(_text(" "))
        tail = self._words(rng.randint(2, 6)) + "."
        parts.append(tail)
        nodes.append(_text(tail))
        return "<p>" + "".join(parts) + "</p>", _para(nodes)

    # ---- blocks --------------------------------------------------------------------------
    def _heading(self) -> Block:
        rng = self._rng
        level = rng.choice((1, 2, 2, 3, 3, 3))
        text = self._words(rng.randint(1, 4)).capitalize()
        return Block(
            f"<h{level}>{text}</h{level}>",
            ({"type": "heading", "attrs": {"level": level}, "content": [_text(text)]},),
        )

    def _paragraph_block(self) -> Block:
        storage, node = self._paragraph()
        return Block(storage, (node,))

    def _list(self, depth: int) -> tuple[str, dict]:
        rng = self._rng
        ordered = rng.random() < 0.4
        tag, adf_type = ("ol", "orderedList") if ordered else ("ul", "bulletList")
        items_storage = []
        items_adf = []
        for _ in range(rng.randint(2, 5)):
            words = self._words(rng.randint(2, 8))
            content = [_para([_text(words)])]
            inner = ""
            if depth == 0 and rng.random() < 0.25:
                inner, sub = self._list(1)
                content.append(sub)
            items_storage.append(f"<li>{words}{inner}</li>")
            items_adf.append({"type": "listItem", "content": content})
        node: dict = {"type": adf_type, "content": items_adf}
        if ordered:
            node["attrs"] = {"order": 1}
        return f"<{tag}>{''.join(items_storage)}</{tag}>", node

    def _list_block(self) -> Block:
        storage, node = self._list(0)
        return Block(storage, (node,))

    def _table_block(self) -> Block:
        rng = self._rng
        cols = rng.randint(2, 4)
        rows = rng.randint(2, 5)
        header = [self._words(1).capitalize() for _ in range(cols)]
        storage = ["<table><tbody><tr>"]
        storage.extend(f"<th><p>{h}</p></th>" for h in header)
        storage.append("</tr>")
        adf_rows = [
            {
                "type": "tableRow",
                "content": [{"type": "tableHeader", "content": [_para([_text(h)])]} for h in header],
            }
        ]
        for _ in range(rows):
            cells = [self._words(rng.randint(1, 3)) for _ in range(cols)]
            storage.append("<tr>")
            storage.extend(f"<td><p>{c}</p></td>" for c in cells)
            storage.append("</tr>")
            adf_rows.append(
                {
                    "type": "tableRow",
                    "content": [{"type": "tableCell", "content": [_para([_text(c)])]} for c in cells],
                }
            )
        storage.append("</tbody></table>")
        return Block("".join(storage), ({"type": "table", "attrs": {"layout": "default"}, "content": adf_rows},))

    def _code_block(self) -> Block:
        rng = self._rng
        lang = rng.choice(LANGUAGES)
        code = rng.choice(CODE_SNIPPETS)
        storage = (
            f'<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="{_uuid(rng)}">'
            f'<ac:parameter ac:name="language">{lang}</ac:parameter>'
            f"<ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body></ac:structured-macro>"
        )
        return Block(storage, ({"type": "codeBlock", "attrs": {"language": lang}, "content": [_text(code)]},))

    def _panel_block(self) -> Block:
        rng = self._rng
        name, panel_type = rng.choice(PANEL_TYPES)
        title = self._words(rng.randint(1, 3)).capitalize()
        inner, para = self._paragraph()
        storage = (
            f'<ac:structured-macro ac:name="{name}" ac:schema-version="1" ac:macro-id="{_uuid(rng)}">'
            f'<ac:parameter ac:name="title">{title}</ac:parameter>'
            f"<ac:rich-text-body>{inner}</ac:rich-text-body></ac:structured-macro>"
        )
        heading = {"type": "heading", "attrs": {"level": 3}, "content": [_text(title)]}
        return Block(storage, ({"type": "panel", "attrs": {"panelType": panel_type}, "content": [heading, para]},))

    def _image_block(self) -> Block:
        rng = self._rng
        name = rng.choice(IMAGE_NAMES)
        width = rng.choice((400, 640, 800))
        storage = f'<ac:image ac:align="center" ac:width="{width}"><ri:attachment ri:filename="{name}" /></ac:image>'
        media = {"type": "media", "attrs": {"type": "file", "id": _uuid(rng), "collection": "", "alt": name}}
        return Block(
            storage,
            ({"type": "mediaSingle", "attrs": {"layout": "center", "width": width}, "content": [media]},),
        )

    def _macro_block(self) -> Block:
        rng = self._rng
        macro_id = _uuid(rng)
        if rng.random() < 0.5:
            storage = (
                f'<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="{macro_id}">'
                '<ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>'
            )
            params = {
                "macroParams": {"maxLevel": {"value": "3"}},
                "macroMetadata": {"macroId": {"value": macro_id}},
            }
            node = {
                "type": "extension",
                "attrs": {
                    "extensionType": "com.atlassian.confluence.macro.core",
                    "extensionKey": "toc",
                    "parameters": params,
                },
            }
            return Block(storage, (node,))
        key = f"{rng.choice(self._jira)}-{rng.randint(1, 4000)}"
        storage = (
            f'<p><ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="{macro_id}">'
            '<ac:parameter ac:name="server">System JIRA</ac:parameter>'
            f'<ac:parameter ac:name="key">{key}</ac:parameter></ac:structured-macro></p>'
        )
        params = {"macroParams": {"key": {"value": key}, "server": {"value": "System JIRA"}}}
        node = {
            "type": "inlineExtension",
            "attrs": {
                "extensionType": "com.atlassian.confluence.macro.core",
                "extensionKey": "jira",
                "parameters": params,
            },
        }
        return Block(storage, (_para([node]),))

    def _rule_or_quote(self) -> Block:
        rng = self._rng
        if rng.random() < 0.5:
            return Block("<hr />", ({"type": "rule"},))
        words = self._sentence() + "."
        return Block(
            f"<blockquote><p>{words}</p></blockquote>",
            ({"type": "blockquote", "content": [_para([_text(words)])]},),
        )

    def _comment_block(self) -> Block:
        rng = self._rng
        if rng.random() < 0.35:
            storage, node = self._paragraph()
            return Block(storage, (node,))
        text = self._sentence() + "? " + self._words(rng.randint(2, 10)) + "."
        return Block(f"<p>{text}</p>", (_para([_text(text)]),))

    # ---- composition ---------------------------------------------------------------------
    def _mix(self, num: int, rev: int) -> int:
        """A well-spread 32-bit hash of (seed, num, rev); cheaper than seeding a Random per body."""
        h = (num * 0x9E3779B1 + rev * 0x85EBCA77 + self._salt) & 0xFFFFFFFF
        h = ((h ^ (h >> 16)) * 0x7FEB352D) & 0xFFFFFFFF
        h = ((h ^ (h >> 15)) * 0x846CA68B) & 0xFFFFFFFF
        return h ^ (h >> 16)

    @staticmethod
    def _with_dynamic(seq: list, h: int, dynamic: DynamicParts, attr: str | None) -> list:
        # Dynamic parts go at positions derived from the hash, so a revision always renders the same.
        slot_bits = h * 0x2545F491
        for part in (dynamic.markers, dynamic.tasks, dynamic.images):
            if part is not None:
                seq.insert((slot_bits & 0xFFFF) % (len(seq) + 1), getattr(part, attr) if attr else part)
            slot_bits >>= 16
        return seq

    def content_blocks(self, num: int, rev: int, dynamic: DynamicParts) -> list[Block]:
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        return self._with_dynamic(self._runs.blocks[start:end], h, dynamic, None)

    def content_storage_json(self, num: int, rev: int, dynamic: DynamicParts) -> str:
        """Same body as ``storage_of(content_blocks(...))``, already escaped for JSON."""
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        return "".join(self._with_dynamic(self._runs.json[start:end], h, dynamic, "storage_json"))

    def content_adf_escaped(self, num: int, rev: int, dynamic: DynamicParts) -> str:
        """Same document as ``adf_of(content_blocks(...))``, already escaped for JSON."""
        h = self._mix(num, rev)
        start, end = self._runs.window(h, self.body_bytes)
        pieces = self._with_dynamic(self._runs.adf[start:end], h, dynamic, "adf_escaped")
        return ADF_HEAD_ESCAPED + ",".join(pieces) + ADF_TAIL_ESCAPED

    def comment_blocks(self, num: int, rev: int) -> list[Block]:
        start, end = self._comment_runs.window(self._mix(num, rev), COMMENT_BYTES)
        return self._comment_runs.blocks[start:end]


class _Runs:
    """A long random sequence of pool blocks with prefix sums of their lengths.

    A body is one slice of it: start at a hashed position and take blocks until the target size
    is reached. Slicing and joining run at C speed, which keeps serving bodies cheap.
    """

    def __init__(self, pool: Sequence[Block], length: int, rng: random.Random) -> None:
        self.blocks = [pool[rng.randrange(len(pool))] for _ in range(length)]
        self.json = [b.storage_json for b in self.blocks]
        self.adf = [b.adf_escaped for b in self.blocks]
        self.prefix = list(accumulate((len(b.storage) for b in self.blocks), initial=0))
        self.starts = length // 2  # starts come from the first half so a window never runs off the end

    def window(self, h: int, target_bytes: int) -> tuple[int, int]:
        start = (h >> 8) % self.starts
        target = int(target_bytes * (0.5 + (h & 0xFF) / 255))  # 0.5x .. 1.5x, mean 1x
        end = bisect_left(self.prefix, self.prefix[start] + target, start + 1)
        return start, min(end, len(self.blocks))


def storage_of(blocks: Sequence[Block]) -> str:
    return "".join(b.storage for b in blocks)


def storage_json_of(blocks: Sequence[Block]) -> str:
    return "".join(b.storage_json for b in blocks)


def adf_of(blocks: Sequence[Block]) -> str:
    """The ADF document as compact JSON text (equal to json.dumps of the whole tree)."""
    return ADF_HEAD + ",".join(b.adf_json for b in blocks) + ADF_TAIL


_TAG = re.compile(r"<[^>]+>")


def plain_text(storage: str) -> str:
    """Storage XHTML with tags removed; enough for the ADF rendering of hand-written bodies."""
    text = _TAG.sub(" ", storage)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return " ".join(text.split())


def adf_from_storage(storage: str) -> str:
    """ADF for a body set explicitly through a mutation: one paragraph with its text."""
    text = plain_text(storage)
    content = [_para([_text(text)])] if text else []
    return json.dumps({"type": "doc", "version": 1, "content": content}, separators=(",", ":"))


def task_list_block(tasks: Sequence[tuple[str, bool, str]]) -> Block:
    """tasks: (local id, complete, body storage) in body order."""
    storage = ["<ac:task-list>"]
    items = []
    for local_id, complete, body in tasks:
        status = "complete" if complete else "incomplete"
        storage.append(
            f"<ac:task><ac:task-id>{local_id}</ac:task-id><ac:task-status>{status}</ac:task-status>"
            f"<ac:task-body>{body}</ac:task-body></ac:task>"
        )
        text = plain_text(body)
        item: dict = {
            "type": "taskItem",
            "attrs": {"localId": local_id, "state": "DONE" if complete else "TODO"},
        }
        if text:
            item["content"] = [_text(text)]
        items.append(item)
    storage.append("</ac:task-list>")
    return Block("".join(storage), ({"type": "taskList", "attrs": {"localId": f"tl-{tasks[0][0]}"}, "content": items},))


def markers_block(markers: Sequence[tuple[str, str]]) -> Block:
    """markers: (marker ref, highlighted text) for the open inline comments of a page."""
    storage = ["<p>Review notes: "]
    nodes: list[dict] = [_text("Review notes: ")]
    for ref, selection in markers:
        storage.append(f'<ac:inline-comment-marker ac:ref="{ref}">{xml_escape(selection)}</ac:inline-comment-marker> ')
        nodes.append(_text(selection, [{"type": "annotation", "attrs": {"annotationType": "inlineComment", "id": ref}}]))
        nodes.append(_text(" "))
    storage.append("</p>")
    return Block("".join(storage), (_para(nodes),))


def images_block(images: Sequence[tuple[str, str, str]]) -> Block:
    """images: (file name, file id, container id) of image attachments on the page."""
    storage = []
    nodes = []
    for name, file_id, container_id in images:
        storage.append(f'<ac:image ac:width="640"><ri:attachment ri:filename="{xml_escape(name)}" /></ac:image>')
        media = {
            "type": "media",
            "attrs": {"type": "file", "id": file_id, "collection": f"contentId-{container_id}"},
        }
        nodes.append({"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [media]})
    return Block("".join(storage), tuple(nodes))
