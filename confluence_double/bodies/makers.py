"""The block makers: headings, paragraphs with marks and mentions, lists, tables, code, panels, images, macros."""

from __future__ import annotations

from datetime import UTC, datetime

from .blocks import Block, adf_node_text, adf_paragraph, random_uuid, xml_escape
from .vocabulary import (
    ADJECTIVES,
    CODE_SNIPPETS,
    EXTERNAL_LINKS,
    IMAGE_NAMES,
    LANGUAGES,
    PANEL_TYPES,
    STATUS_LOZENGES,
    VERBS,
    WORDS,
)


class BlockMakers:
    """Random blocks drawn from ``self._rng``.

    A mixin of ``BodyFactory``: the people, pages and Jira projects to mention come from it.
    """

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
            return f"<strong>{w}</strong>", [adf_node_text(w, [{"type": "strong"}])]
        if kind == 1:
            w = self._words(2)
            return f"<em>{w}</em>", [adf_node_text(w, [{"type": "em"}])]
        if kind == 2:
            href = rng.choice(EXTERNAL_LINKS)
            w = self._words(2)
            return (
                f'<a href="{xml_escape(href)}">{w}</a>',
                [adf_node_text(w, [{"type": "link", "attrs": {"href": href}}])],
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
            macro_id = random_uuid(rng)
            storage = (
                f'<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="{macro_id}">'
                f'<ac:parameter ac:name="title">{title}</ac:parameter>'
                f'<ac:parameter ac:name="colour">{colour}</ac:parameter></ac:structured-macro>'
            )
            return storage, [{"type": "status", "attrs": {"text": title, "color": adf_colour, "localId": macro_id}}]
        if kind == 7:
            w = rng.choice(WORDS) + "_" + rng.choice(WORDS)
            return f"<code>{w}</code>", [adf_node_text(w, [{"type": "code"}])]
        w = self._words(rng.randint(3, 9))
        return w, [adf_node_text(w)]

    def _paragraph(self) -> tuple[str, dict]:
        rng = self._rng
        parts = [self._sentence() + ", see "]
        nodes = [adf_node_text(parts[0])]
        for _ in range(rng.randint(1, 4)):
            storage, adf = self._inline()
            parts.append(storage)
            nodes.extend(adf)
            parts.append(" ")
            nodes.append(adf_node_text(" "))
        tail = self._words(rng.randint(2, 6)) + "."
        parts.append(tail)
        nodes.append(adf_node_text(tail))
        return "<p>" + "".join(parts) + "</p>", adf_paragraph(nodes)

    # ---- blocks --------------------------------------------------------------------------
    def _heading(self) -> Block:
        rng = self._rng
        level = rng.choice((1, 2, 2, 3, 3, 3))
        text = self._words(rng.randint(1, 4)).capitalize()
        return Block(
            f"<h{level}>{text}</h{level}>",
            ({"type": "heading", "attrs": {"level": level}, "content": [adf_node_text(text)]},),
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
            content = [adf_paragraph([adf_node_text(words)])]
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
                "content": [{"type": "tableHeader", "content": [adf_paragraph([adf_node_text(h)])]} for h in header],
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
                    "content": [{"type": "tableCell", "content": [adf_paragraph([adf_node_text(c)])]} for c in cells],
                }
            )
        storage.append("</tbody></table>")
        return Block("".join(storage), ({"type": "table", "attrs": {"layout": "default"}, "content": adf_rows},))

    def _code_block(self) -> Block:
        rng = self._rng
        lang = rng.choice(LANGUAGES)
        code = rng.choice(CODE_SNIPPETS)
        storage = (
            f'<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="{random_uuid(rng)}">'
            f'<ac:parameter ac:name="language">{lang}</ac:parameter>'
            f"<ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body></ac:structured-macro>"
        )
        return Block(storage, ({"type": "codeBlock", "attrs": {"language": lang}, "content": [adf_node_text(code)]},))

    def _panel_block(self) -> Block:
        rng = self._rng
        name, panel_type = rng.choice(PANEL_TYPES)
        title = self._words(rng.randint(1, 3)).capitalize()
        inner, para = self._paragraph()
        storage = (
            f'<ac:structured-macro ac:name="{name}" ac:schema-version="1" ac:macro-id="{random_uuid(rng)}">'
            f'<ac:parameter ac:name="title">{title}</ac:parameter>'
            f"<ac:rich-text-body>{inner}</ac:rich-text-body></ac:structured-macro>"
        )
        heading = {"type": "heading", "attrs": {"level": 3}, "content": [adf_node_text(title)]}
        return Block(storage, ({"type": "panel", "attrs": {"panelType": panel_type}, "content": [heading, para]},))

    def _image_block(self) -> Block:
        rng = self._rng
        name = rng.choice(IMAGE_NAMES)
        width = rng.choice((400, 640, 800))
        storage = f'<ac:image ac:align="center" ac:width="{width}"><ri:attachment ri:filename="{name}" /></ac:image>'
        media = {"type": "media", "attrs": {"type": "file", "id": random_uuid(rng), "collection": "", "alt": name}}
        return Block(
            storage,
            ({"type": "mediaSingle", "attrs": {"layout": "center", "width": width}, "content": [media]},),
        )

    def _macro_block(self) -> Block:
        rng = self._rng
        macro_id = random_uuid(rng)
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
        return Block(storage, (adf_paragraph([node]),))

    def _rule_or_quote(self) -> Block:
        rng = self._rng
        if rng.random() < 0.5:
            return Block("<hr />", ({"type": "rule"},))
        words = self._sentence() + "."
        return Block(
            f"<blockquote><p>{words}</p></blockquote>",
            ({"type": "blockquote", "content": [adf_paragraph([adf_node_text(words)])]},),
        )

    def _comment_block(self) -> Block:
        rng = self._rng
        if rng.random() < 0.35:
            storage, node = self._paragraph()
            return Block(storage, (node,))
        text = self._sentence() + "? " + self._words(rng.randint(2, 10)) + "."
        return Block(f"<p>{text}</p>", (adf_paragraph([adf_node_text(text)]),))

