"""Decision items in a storage body -> `decisions` records.

Confluence stores a decision in one of two forms:
- current (the editor since 2019, Cloud and Data Center 8): an ADF extension,
  `<ac:adf-extension><ac:adf-node type="decision-list">` holding `<ac:adf-node type="decision-item">`
  nodes, each with `<ac:adf-attribute key="local-id">`, `<ac:adf-attribute key="state">`
  (`DECIDED` | `UNDECIDED`) and its text in `<ac:adf-content>`; an `<ac:adf-fallback>` repeats the
  text as HTML and is ignored;
- older: `<ac:structured-macro ac:name="decision">`, one decision per macro, its id the macro's
  `ac:local-id` (else `ac:macro-id`), its state the `state` (or `status`) parameter, its text the
  `<ac:rich-text-body>`.
Text is rendered as `body_text` renders bodies (mentions as display names, docs/body-text.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from source_confluence.records.body_fallback import _parse_soup
from source_confluence.records.body_names import (
    AC_ADF_ATTRIBUTE,
    AC_ADF_NODE,
    AC_NAME,
    AC_PARAMETER,
    AC_RICH_TEXT_BODY,
    _ac,
)
from source_confluence.records.body_parse import _parse_xml, _remove_invalid_chars
from source_confluence.records.body_render import _Renderer

AC_ADF_CONTENT = _ac("adf-content")
AC_STRUCTURED_MACRO = _ac("structured-macro")
AC_LOCAL_ID = _ac("local-id")
AC_MACRO_ID = _ac("macro-id")
DECIDED = "decided"
UNDECIDED = "undecided"


@dataclass(frozen=True)
class FoundDecision:
    local_id: str
    state: str
    """`decided` or `undecided`."""
    text: str


def _state(value: str | None) -> str:
    return DECIDED if (value or "").strip().lower() == DECIDED else UNDECIDED


def _attributes(node: Any) -> dict[str, str]:
    return {(child.get("key") or "").lower(): "".join(child.itertext()).strip()
            for child in node if child.tag == AC_ADF_ATTRIBUTE}


def _parameters(macro: Any) -> dict[str, str]:
    return {(child.get(AC_NAME) or "").lower(): "".join(child.itertext()).strip()
            for child in macro if child.tag == AC_PARAMETER}


def _text(element: Any | None, user_names: Mapping[str, str] | None) -> str:
    if element is None:
        return ""
    return _Renderer(user_names).render(element).strip()


def _found(root: Any, user_names: Mapping[str, str] | None) -> Iterator[FoundDecision]:
    for element in root.iter():
        if element.tag == AC_ADF_NODE and (element.get("type") or "").lower() == "decision-item":
            attributes = _attributes(element)
            content = next((child for child in element if child.tag == AC_ADF_CONTENT), None)
            local_id = attributes.get("local-id")
            if local_id:
                yield FoundDecision(local_id, _state(attributes.get("state")), _text(content, user_names))
        elif element.tag == AC_STRUCTURED_MACRO and (element.get(AC_NAME) or "").lower() == "decision":
            parameters = _parameters(element)
            local_id = element.get(AC_LOCAL_ID) or element.get(AC_MACRO_ID) or parameters.get("id")
            body = next((child for child in element if child.tag == AC_RICH_TEXT_BODY), None)
            if local_id:
                yield FoundDecision(local_id, _state(parameters.get("state") or parameters.get("status")),
                                    _text(body, user_names))


def decisions_in_storage(storage: str | None, user_names: Mapping[str, str] | None = None) -> list[FoundDecision]:
    """Every decision of a body in body order, each local id once (the first)."""
    if not storage or "decision" not in storage:
        return []
    try:
        root = _parse_xml(storage)
    except Exception:  # not well-formed: the tolerant parse, as body_text does
        clean = _remove_invalid_chars(storage)
        try:
            root = _parse_xml(clean)
        except Exception:
            root = _parse_soup(clean)
    found: dict[str, FoundDecision] = {}
    for decision in _found(root, user_names):
        found.setdefault(decision.local_id, decision)
    return list(found.values())


def decision_id(container_id: str, local_id: str) -> str:
    return f"{container_id}:{local_id}"


def local_id_of(decision_record_id: str) -> str:
    return decision_record_id.split(":", 1)[1]


def decision_record(found: FoundDecision, container_id: str, container_type: str, space_id: str | None,
                    updated_at: str | None, first_seen_at: str | None) -> dict[str, Any]:
    return {
        "id": decision_id(container_id, found.local_id),
        "local_id": found.local_id,
        "container_id": container_id,
        "container_type": container_type,
        "space_id": space_id,
        "state": found.state,
        "text": found.text,
        "first_seen_at": first_seen_at or updated_at,
        "updated_at": updated_at,
        "deleted_at": None,
    }


def decision_tombstone(record_id: str, container_id: str, container_type: str, space_id: str | None,
                       deleted_at: str) -> dict[str, Any]:
    """A decision gone from its container's body, or with its container: key fields, `deleted_at` set."""
    return {"id": record_id, "local_id": local_id_of(record_id), "container_id": container_id,
            "container_type": container_type, "space_id": space_id, "state": None, "text": None,
            "first_seen_at": None, "updated_at": deleted_at, "deleted_at": deleted_at}
