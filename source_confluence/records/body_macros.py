"""Tag handlers for links, resources, images, emoticons, macros and ADF nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from source_confluence.records.body_blocks import _descend, _exit_block, _h_block
from source_confluence.records.body_names import (
    _ADF_PANELS,
    _BLOCK_PARENTS,
    _FILE_MACROS,
    _INVISIBLE_MACROS,
    _PANELS,
    _RI_TAG_START,
    AC_ADF_ATTRIBUTE,
    AC_ADF_NODE,
    AC_ANCHOR,
    AC_CAPTION,
    AC_DEFAULT_PARAMETER,
    AC_EMOJI_FALLBACK,
    AC_LINK_BODY,
    AC_NAME,
    AC_PARAMETER,
    AC_PLAIN_TEXT_BODY,
    AC_PLAIN_TEXT_LINK_BODY,
    AC_RICH_TEXT_BODY,
    RI_ATTACHMENT,
    RI_BLOG_POST,
    RI_CONTENT_TITLE,
    RI_FILENAME,
    RI_PAGE,
    RI_PARAMETER,
    RI_SHORTCUT,
    RI_SPACE,
    RI_SPACE_KEY,
    RI_URL,
    RI_USER,
    RI_VALUE,
    _param_text,
    _text_of,
)

if TYPE_CHECKING:
    from source_confluence.records.body_render import _Renderer

def _resource_label(res: Any) -> str:
    """What a link to `res` (an ``ri:`` element) shows when it has no body of its own."""
    tag = res.tag
    if tag == RI_ATTACHMENT:
        return f"[attachment: {res.get(RI_FILENAME) or ''}]"
    if tag == RI_PAGE or tag == RI_BLOG_POST:
        return res.get(RI_CONTENT_TITLE) or ""
    if tag == RI_URL:
        return res.get(RI_VALUE) or ""
    if tag == RI_SPACE:
        return res.get(RI_SPACE_KEY) or ""
    if tag == RI_SHORTCUT:
        return res.get(RI_PARAMETER) or ""
    return ""


def _h_resource(r: _Renderer, el: Any) -> None:
    # An ri: element outside ac:link / ac:image (unusual, but seen in hand-edited bodies).
    r.buf.append(r.mention(el) if el.tag == RI_USER else _resource_label(el))


def _exit_attachment_link(r: _Renderer, el: Any) -> None:
    for child in el[:]:
        if child.tag == RI_ATTACHMENT:
            r.buf.append(f" [attachment: {child.get(RI_FILENAME) or ''}]")
            return


def _h_link(r: _Renderer, el: Any) -> Any:
    resource = None
    body = None
    for child in el[:]:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        if tag.startswith(_RI_TAG_START):
            if resource is None:
                resource = child
        elif (tag == AC_LINK_BODY or tag == AC_PLAIN_TEXT_LINK_BODY) and body is None:
            body = child
    rtag = resource.tag if resource is not None else None
    if body is None:
        if rtag == RI_USER:
            r.buf.append(r.mention(resource))
        elif resource is not None:
            r.buf.append(_resource_label(resource))
        else:
            r.buf.append(el.get(AC_ANCHOR) or "")
        return None
    on_exit = None
    if resource is not None and rtag == RI_ATTACHMENT:
        on_exit = _exit_attachment_link
        if body.tag == AC_PLAIN_TEXT_LINK_BODY:
            filename = resource.get(RI_FILENAME) or ""
            if _param_text(body) == filename.strip():
                on_exit = None
    if body.text:
        r.buf.append(body.text)
    return iter(body), on_exit


def _h_image(r: _Renderer, el: Any) -> Any:
    label = ""
    captions = []
    for child in el[:]:
        tag = child.tag
        if tag == RI_ATTACHMENT:
            label = label or child.get(RI_FILENAME) or ""
        elif tag == RI_URL:
            label = label or child.get(RI_VALUE) or ""
        elif tag == AC_CAPTION:
            captions.append(child)
    r.buf.append(f"[image: {label}]" if label else "[image]")
    if captions:
        r.buf.append(" ")
        return iter(captions), None
    return None


def _h_emoticon(r: _Renderer, el: Any) -> None:
    fallback = el.get(AC_EMOJI_FALLBACK)
    if fallback:
        r.buf.append(fallback)
    else:
        name = el.get(AC_NAME)
        if name:
            r.buf.append(f":{name}:")


def _exit_panel(r: _Renderer, el: Any) -> None:
    r.end_panel()


def _param(parameters: list[Any], key: str) -> Any:
    """The first ``ac:parameter`` named `key` (case and spaces aside), or None. Looked up only by the
    macros that show a parameter, rather than reading every parameter's name up front."""
    for child in parameters:
        name = child.get(AC_NAME)
        if name == key or (name and name.strip().lower() == key):
            return child
    return None


def _h_macro(r: _Renderer, el: Any) -> Any:
    name = (el.get(AC_NAME) or "").strip().lower()
    parameters = []
    bodies = []
    plain = None
    for child in el[:]:  # a slice: cheaper than stepping lxml's iterator
        tag = child.tag
        if tag == AC_PARAMETER:
            parameters.append(child)
        elif tag == AC_DEFAULT_PARAMETER:
            continue  # the unnamed parameter: no macro shows it
        elif tag == AC_RICH_TEXT_BODY:
            bodies.append(child)
        elif tag == AC_PLAIN_TEXT_BODY:
            if plain is None:
                plain = child
            bodies.append(child)
        elif isinstance(tag, str):
            # Content placed straight inside the macro (hand-written or legacy storage) is still
            # text the reader should see: treat it as part of the body.
            bodies.append(child)

    if name in ("code", "noformat"):
        param = _param(parameters, "language") if name == "code" else None
        language = _param_text(param) if param is not None else ""
        if plain is not None:
            r.code_block(_text_of(plain), language)
            bodies.remove(plain)
        return (iter(bodies), None) if bodies else None

    panel = _PANELS.get(name)
    if panel is not None:
        param = _param(parameters, "title")
        title = _param_text(param) if param is not None else ""
        r.begin_panel(f"{panel}: {title}" if title else panel)
        return iter(bodies), _exit_panel

    if name == "status":
        param = _param(parameters, "title")
        title = _param_text(param) if param is not None else ""
        if title:
            r.buf.append(f"[{title}]")
        return None

    if name in _FILE_MACROS:
        standalone = _at_block_level(r)
        if standalone:
            r.block()
        filename = ""
        param = _param(parameters, "name")
        if param is not None:
            for node in param.iter():
                # Element.iter / _Node.iter: iterative, so deep parameters are fine.
                if node.tag == RI_ATTACHMENT:
                    filename = node.get(RI_FILENAME) or ""
                    break
            else:
                filename = _param_text(param)
        r.buf.append(f"[attachment: {filename}]")
        if standalone:
            r.block()
        return None

    if name in _INVISIBLE_MACROS:
        return None
    if bodies:
        # The macro's content is in the body (details, section, excerpt, ...): show it in place.
        r.block()
        return iter(bodies), _exit_block
    standalone = _at_block_level(r)
    if standalone:
        r.block()
    r.buf.append(f"[macro: {name}]" if name else "[macro]")
    if standalone:
        r.block()
    return None


def _at_block_level(r: _Renderer) -> bool:
    """Whether the element being handled sits between blocks rather than inside running text."""
    parent = r.parent
    return parent is None or parent.tag in _BLOCK_PARENTS


def _h_adf_extension(r: _Renderer, el: Any) -> Any:
    nodes = [child for child in el if child.tag == AC_ADF_NODE]
    if nodes:
        # The fallback markup duplicates the node's content; render the node only.
        return iter(nodes), None
    return _descend(r, el)


def _h_adf_node(r: _Renderer, el: Any) -> Any:
    if (el.get("type") or "").lower() == "panel":
        kind = ""
        for child in el:
            if child.tag == AC_ADF_ATTRIBUTE and (child.get("key") or "") == "panel-type":
                kind = _param_text(child).lower()
                break
        r.begin_panel(_ADF_PANELS.get(kind, "Panel"))
        return None, _exit_panel
    return _h_block(r, el)
