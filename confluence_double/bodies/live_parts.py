"""Parts of a body that reflect live site state: the task list, inline-comment markers, embedded images."""

from __future__ import annotations

from collections.abc import Sequence

from .blocks import Block, adf_node_text, adf_paragraph, plain_text, xml_escape


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
            item["content"] = [adf_node_text(text)]
        items.append(item)
    storage.append("</ac:task-list>")
    return Block("".join(storage), ({"type": "taskList", "attrs": {"localId": f"tl-{tasks[0][0]}"}, "content": items},))


def markers_block(markers: Sequence[tuple[str, str]]) -> Block:
    """markers: (marker ref, highlighted text) for the open inline comments of a page."""
    storage = ["<p>Review notes: "]
    nodes: list[dict] = [adf_node_text("Review notes: ")]
    for ref, selection in markers:
        storage.append(f'<ac:inline-comment-marker ac:ref="{ref}">{xml_escape(selection)}</ac:inline-comment-marker> ')
        nodes.append(adf_node_text(selection, [{"type": "annotation", "attrs": {"annotationType": "inlineComment", "id": ref}}]))
        nodes.append(adf_node_text(" "))
    storage.append("</p>")
    return Block("".join(storage), (adf_paragraph(nodes),))


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


def decision_block(decisions: Sequence[tuple[str, bool, str, bool]]) -> Block:
    """decisions: (local id, decided, text storage, legacy form) in body order. Current decisions
    render as one decision-list ADF extension; legacy ones as a decision macro each."""
    current = [d for d in decisions if not d[3]]
    storage: list[str] = []
    items: list[dict] = []
    if current:
        storage.append('<ac:adf-extension><ac:adf-node type="decision-list">'
                       f'<ac:adf-attribute key="local-id">list-{current[0][0]}</ac:adf-attribute>')
        for local_id, decided, text, _ in current:
            storage.append(f'<ac:adf-node type="decision-item"><ac:adf-attribute key="local-id">{local_id}'
                           '</ac:adf-attribute><ac:adf-attribute key="state">'
                           f'{"DECIDED" if decided else "UNDECIDED"}</ac:adf-attribute>'
                           f"<ac:adf-content>{text}</ac:adf-content></ac:adf-node>")
        storage.append('</ac:adf-node><ac:adf-fallback><ul class="decision-list">')
        storage.extend(f"<li>{text}</li>" for _, _, text, _ in current)
        storage.append("</ul></ac:adf-fallback></ac:adf-extension>")
    for local_id, decided, text, legacy in decisions:
        if legacy:
            storage.append(f'<ac:structured-macro ac:name="decision" ac:schema-version="1" ac:macro-id="{local_id}">'
                           f'<ac:parameter ac:name="status">{"decided" if decided else "undecided"}</ac:parameter>'
                           f"<ac:rich-text-body><p>{text}</p></ac:rich-text-body></ac:structured-macro>")
    for local_id, decided, text, _ in decisions:
        item: dict = {"type": "decisionItem", "attrs": {"localId": local_id, "state": "DECIDED" if decided else "UNDECIDED"}}
        words = plain_text(text)
        if words:
            item["content"] = [adf_node_text(words)]
        items.append(item)
    return Block("".join(storage), ({"type": "decisionList", "attrs": {"localId": f"list-{decisions[0][0]}"},
                                     "content": items},))
