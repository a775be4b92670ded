"""Tests for source_confluence.records.body_text: one example per output rule, robustness, properties."""

from __future__ import annotations

import random
import re
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_confluence.records.body_text import (
    _parse_soup,
    _parse_xml,
    _Renderer,
    storage_to_text,
    storage_to_texts,
    word_count,
)

NAMES = {"557058:aaaa": "Ada Lovelace", "u1": "Ann", "ff808081": "Dana", "jdoe": "John Doe"}


def macro(name: str, body: str = "", **params: str) -> str:
    rendered = "".join(f'<ac:parameter ac:name="{k}">{v}</ac:parameter>' for k, v in params.items())
    return f'<ac:structured-macro ac:name="{name}">{rendered}{body}</ac:structured-macro>'


def rich(body: str) -> str:
    return f"<ac:rich-text-body>{body}</ac:rich-text-body>"


def file_param(filename: str) -> str:
    return f'<ac:parameter ac:name="name"><ri:attachment ri:filename="{filename}" /></ac:parameter>'


def plain(code: str) -> str:
    return f"<ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body>"


def assert_clean(out: str) -> None:
    """Invariants every output satisfies, whatever the input."""
    assert isinstance(out, str)
    assert out == out.strip()
    assert "\n\n\n" not in out
    for line in out.split("\n"):
        assert line == line.rstrip()


# ---------------------------------------------------------------------------------------------
# Basics


def test_none_and_empty():
    assert storage_to_text(None) is None
    assert storage_to_text("") == ""
    assert storage_to_text("  \n\t ") == ""
    assert storage_to_text("<p> </p><p>&nbsp;</p>") == ""


def test_module_docstring_example():
    # The documented example (docs/body-text.md) must stay true.
    doc = (Path(__file__).resolve().parents[1] / "docs" / "body-text.md").read_text()
    example = doc.split("Example:\n\n")[1].split("\n\nbecomes")[0]
    expected = doc.split("`):\n\n")[1].split("\n\n## Parsing strategy")[0]
    assert storage_to_text(textwrap.dedent(example), {"557": "Ada"}) == textwrap.dedent(expected)


def test_plain_text_without_markup():
    assert storage_to_text("just   some\n text") == "just some text"


def test_word_count():
    assert word_count(None) == 0
    assert word_count("") == 0
    assert word_count("  ...  ") == 0
    assert word_count("Héllo wörld, 東京 x_y! 3.14") == 6  # héllo wörld 東京 x_y 3 14
    assert word_count(storage_to_text("<p>one <strong>two</strong></p><p>three</p>")) == 3
    # Dashes, no-break spaces, combining marks and lone surrogates are not word characters.
    assert word_count("a\u2014b \u2014 \u00a0c\u0301d \ud800 ___ x") == 6  # a b c d ___ x


@given(st.text(st.sampled_from(list("ab_9 .,-\t\n\u00a0\u00e9\u2014\u2019\u6771\u0301\u2028\ud800\U0001f600")), max_size=40)
       | st.text(max_size=40))
def test_word_count_counts_what_a_word_regex_matches(text):
    # word_count avoids the regex for speed; it must agree with it on every string.
    assert word_count(text) == len(re.findall(r"\w+", text))


# ---------------------------------------------------------------------------------------------
# Blocks


def test_headings_and_paragraphs():
    body = "<h1>Title</h1><p>First para.</p><h3>Sub</h3><p>Second<br/>line two</p><p>Third</p>"
    assert storage_to_text(body) == "# Title\n\nFirst para.\n\n### Sub\n\nSecond\nline two\n\nThird"


def test_headings_are_markdown_atx_lines_of_their_level():
    body = ("<H2>Upper <em>case</em></H2><h4>  spaced\n  out<br/>two </h4><h5><p>block</p>inside</h5>"
            "<h6>Six</h6><h1> </h1><h2><strong></strong></h2><p>after</p>")
    assert storage_to_text(body) == "## Upper case\n\n#### spaced out two\n\n##### block inside\n\n###### Six\n\nafter"


def test_headings_inside_table_cells_and_panels():
    body = ("<table><tr><td><h2>Cell</h2>text</td><td>b</td></tr></table>"
            + macro("info", "<ac:rich-text-body><h3>Inside</h3><p>x</p></ac:rich-text-body>")
            + "<ul><li><h2>Item</h2></li></ul>")
    assert storage_to_text(body) == "Cell text | b\n\n[Info]\n  ### Inside\n\n  x\n\n- ## Item"


def test_inline_markup_is_transparent_and_whitespace_collapses():
    body = "<p>  Some <strong>bold</strong>,\n\n <em>italic</em>   and <code>code()</code>.  </p>"
    assert storage_to_text(body) == "Some bold, italic and code()."


def test_unordered_and_ordered_lists_with_nesting():
    body = (
        "<p>Intro</p>"
        "<ul><li>one</li><li>two<ol><li>first</li><li>second<ul><li>deep</li></ul></li></ol></li>"
        "<li>three</li></ul><p>After</p>"
    )
    assert storage_to_text(body) == (
        "Intro\n\n- one\n- two\n  1. first\n  2. second\n    - deep\n- three\n\nAfter"
    )


def test_ordered_list_start_and_multi_paragraph_items():
    body = '<ol start="3"><li><p>c</p><p>more about c</p></li><li>d</li></ol>'
    assert storage_to_text(body) == "3. c\n  more about c\n4. d"


def test_table_rows_and_header_row():
    body = (
        "<table><colgroup><col/><col/></colgroup><tbody>"
        "<tr><th><p>Name</p></th><th><p>Role</p></th></tr>"
        "<tr><td><p>Ada</p></td><td><p>Engineer</p><p>Lead</p></td></tr>"
        "<tr><td></td><td> </td></tr>"
        "<tr><td>Bob</td><td></td></tr>"
        "</tbody></table><p>Below</p>"
    )
    assert storage_to_text(body) == "Name | Role\nAda | Engineer Lead\nBob |\n\nBelow"


def test_table_cell_flattens_lists_and_code():
    body = (
        "<table><tbody><tr><td><ul><li>a</li><li>b</li></ul></td>"
        f"<td>{macro('code', plain('x = 1' + chr(10) + 'y = 2'))}</td></tr></tbody></table>"
    )
    assert storage_to_text(body) == "- a - b | x = 1 y = 2"


def test_nested_tables_and_empty_rows():
    body = (
        "<table><tr><td><table><tr><td> </td></tr></table></td><td></td></tr>"
        "<tr><td>a</td><td><table><tr><td>b</td><td></td></tr><tr><td></td></tr></table></td></tr></table>"
    )
    assert storage_to_text(body) == "a | b |"


def test_cell_containing_only_a_pipe_is_kept():
    assert storage_to_text("<table><tr><td>|</td><td></td></tr></table>") == "| |"


# ---------------------------------------------------------------------------------------------
# Macros


def test_code_macro_is_fenced_and_verbatim():
    code = "def f(a, b):\n    return a & b < 3  \n\n\n\n# done\n"
    body = "<p>Example:</p>" + macro("code", plain(code), language="python", title="ignored") + "<p>End</p>"
    assert storage_to_text(body) == (
        "Example:\n\n```python\ndef f(a, b):\n    return a & b < 3\n\n# done\n```\n\nEnd"
    )


def test_noformat_and_code_without_language():
    assert storage_to_text(macro("noformat", plain("  raw  text"))) == "```\n  raw  text\n```"
    assert storage_to_text(macro("code", plain("x"))) == "```\nx\n```"


def test_code_containing_a_fence_gets_a_longer_fence():
    out = storage_to_text(macro("code", plain("```\ninner\n```")))
    assert out == "````\n```\ninner\n```\n````"


def test_code_inside_list_item_is_indented():
    body = "<ul><li>Run:" + macro("code", plain("make\n\ntest"), language="bash") + "</li></ul>"
    assert storage_to_text(body) == "- Run:\n  ```bash\n  make\n\n  test\n  ```"


@pytest.mark.parametrize(
    ("name", "label"),
    [("info", "Info"), ("note", "Note"), ("warning", "Warning"), ("tip", "Tip"), ("panel", "Panel"),
     ("expand", "Expand")],
)
def test_panels_with_title(name, label):
    panel = macro(name, rich("<p>Body one.</p><p>Body two.</p>"), title="Heads up")
    body = f"<p>Before</p>{panel}<p>After</p>"
    assert storage_to_text(body) == f"Before\n\n[{label}: Heads up]\n  Body one.\n\n  Body two.\n\nAfter"


def test_panel_without_title_nested_panel_and_list():
    inner = macro("note", rich("<p>inner</p>"))
    body = macro("expand", rich(f"<ul><li>a</li></ul>{inner}"), title="More")
    assert storage_to_text(body) == "[Expand: More]\n  - a\n\n  [Note]\n    inner"


def test_status_lozenge_and_time():
    body = (
        "<p>State: " + macro("status", colour="Yellow", title="IN PROGRESS")
        + ' due <time datetime="2024-05-01" /></p>'
    )
    assert storage_to_text(body) == "State: [IN PROGRESS] due 2024-05-01"


def test_macros_without_stored_output_become_markers():
    body = (
        macro("toc", maxLevel="3") + "<p>Text</p>" + macro("children")
        + '<p>See ' + macro("jira", key="ABC-123", server="System JIRA") + " now</p>"
        + macro("include", '<ac:parameter ac:name=""><ac:link><ri:page ri:content-title="X"/></ac:link>'
                '</ac:parameter>')
    )
    assert storage_to_text(body) == (
        "[macro: toc]\n\nText\n\n[macro: children]\n\nSee [macro: jira] now\n\n[macro: include]"
    )


def test_macro_parameters_are_not_text():
    body = macro("details", rich("<p>Owner: Ada</p>"), label="secret-label", hidden="true")
    assert storage_to_text(body) == "Owner: Ada"
    assert storage_to_text(macro("anchor", **{"": "section-1"})) == ""


def test_legacy_ac_macro_element():
    language = '<ac:parameter ac:name="language">sql</ac:parameter>'
    body = f'<ac:macro ac:name="code">{language}{plain("SELECT 1")}</ac:macro>'
    assert storage_to_text(body) == "```sql\nSELECT 1\n```"


def test_cloud_adf_panel_prefers_node_over_fallback():
    body = (
        '<ac:adf-extension><ac:adf-node type="panel">'
        '<ac:adf-attribute key="panel-type">note</ac:adf-attribute>'
        "<ac:adf-content><p>Careful</p></ac:adf-content></ac:adf-node>"
        '<ac:adf-fallback><div class="panel"><p>Careful</p></div></ac:adf-fallback></ac:adf-extension>'
    )
    assert storage_to_text(body) == "[Note]\n  Careful"


# ---------------------------------------------------------------------------------------------
# Links, mentions, images, attachments, tasks


def test_user_mentions_cloud_and_data_center():
    body = (
        '<p><ac:link><ri:user ri:account-id="557058:aaaa" /></ac:link>, '
        '<ac:link><ri:user ri:account-id="unknown-id" /></ac:link>, '
        '<ac:link><ri:user ri:userkey="ff808081" /></ac:link>, '
        '<ac:link><ri:user ri:username="jdoe" /></ac:link>, '
        '<ac:link><ri:user ri:username="nobody" /></ac:link></p>'
    )
    assert storage_to_text(body, NAMES) == "@Ada Lovelace, @unknown-id, @Dana, @John Doe, @nobody"
    assert storage_to_text('<ac:link><ri:user ri:account-id="557058:aaaa" /></ac:link>') == "@557058:aaaa"


def test_links():
    body = (
        '<p><a href="https://example.com/?a=1&amp;b=2">the site</a> | '
        '<ac:link><ri:page ri:content-title="Release Notes" ri:space-key="ENG" />'
        "<ac:plain-text-link-body><![CDATA[notes & more]]></ac:plain-text-link-body></ac:link> | "
        '<ac:link><ri:page ri:content-title="Home" />'
        "<ac:link-body><strong>Go</strong> home</ac:link-body></ac:link> | "
        '<ac:link><ri:page ri:content-title="Plain Title" /></ac:link> | '
        '<ac:link><ri:blog-post ri:content-title="Launch" ri:posting-day="2024/05/01" /></ac:link> | '
        '<ac:link><ri:url ri:value="https://atlassian.com" /></ac:link> | '
        '<ac:link><ri:space ri:space-key="DOCS" /></ac:link> | '
        '<ac:link ac:anchor="setup"></ac:link></p>'
    )
    assert storage_to_text(body) == (
        "the site | notes & more | Go home | Plain Title | Launch | https://atlassian.com | DOCS | setup"
    )


def test_images():
    body = (
        '<p><ac:image ac:width="300"><ri:attachment ri:filename="a.png" /></ac:image></p>'
        '<p><ac:image><ri:url ri:value="https://x.example/b.jpg" /></ac:image></p>'
        '<p><ac:image><ri:attachment ri:filename="c.png" />'
        "<ac:caption>The caption</ac:caption></ac:image></p>"
    )
    assert storage_to_text(body) == (
        "[image: a.png]\n\n[image: https://x.example/b.jpg]\n\n[image: c.png] The caption"
    )


def test_attachments():
    body = (
        '<p><ac:link><ri:attachment ri:filename="r.pdf" /></ac:link> / '
        '<ac:link><ri:attachment ri:filename="r.pdf" /><ac:plain-text-link-body><![CDATA[r.pdf]]>'
        "</ac:plain-text-link-body></ac:link> / "
        '<ac:link><ri:attachment ri:filename="q3.xlsx" /><ac:plain-text-link-body><![CDATA[Q3 numbers]]>'
        "</ac:plain-text-link-body></ac:link></p>"
        + macro("view-file", file_param("spec.docx"))
        + macro("viewpdf", file_param("deck.pdf"))
    )
    assert storage_to_text(body) == (
        "[attachment: r.pdf] / r.pdf / Q3 numbers [attachment: q3.xlsx]\n\n"
        "[attachment: spec.docx]\n\n[attachment: deck.pdf]"
    )


def test_task_list_with_nested_tasks():
    def task(n: int, status: str, body: str) -> str:
        return (
            f"<ac:task><ac:task-id>{n}</ac:task-id><ac:task-uuid>uuid-{n}</ac:task-uuid>"
            f"<ac:task-status>{status}</ac:task-status><ac:task-body>{body}</ac:task-body></ac:task>"
        )

    body = (
        "<p>Todo</p><ac:task-list>"
        + task(1, "complete", 'Write docs by <time datetime="2024-06-01" />')
        + task(2, "incomplete", 'Ping <ac:link><ri:user ri:account-id="u1" /></ac:link>')
        + "<ac:task-list>" + task(3, "incomplete", "Sub task") + "</ac:task-list>"
        + "</ac:task-list>"
    )
    assert storage_to_text(body, NAMES) == (
        "Todo\n\n[x] Write docs by 2024-06-01\n[ ] Ping @Ann\n  [ ] Sub task"
    )


def test_emoticon_and_placeholder():
    body = (
        '<p>Done <ac:emoticon ac:name="tick" ac:emoji-fallback="✅" /> '
        "<ac:placeholder>Type here</ac:placeholder>"
        '<ac:emoticon ac:name="smile" /></p>'
    )
    assert storage_to_text(body) == "Done ✅ :smile:"


def test_layouts_are_blocks():
    body = (
        '<ac:layout><ac:layout-section ac:type="two_equal">'
        "<ac:layout-cell><p>Left</p></ac:layout-cell><ac:layout-cell><p>Right</p></ac:layout-cell>"
        "</ac:layout-section></ac:layout>"
    )
    assert storage_to_text(body) == "Left\n\nRight"


# ---------------------------------------------------------------------------------------------
# Entities and robustness


def test_entities():
    body = (
        "<p>a&nbsp;b &amp; c &lt;tag&gt; &quot;q&quot; &rarr; &hellip; &eacute; &#233; &#xE9; "
        "&bogus; AT&T &#0; &#xD800; &#1114112;</p>"
    )
    assert storage_to_text(body) == 'a b & c <tag> "q" → … é é é &bogus; AT&T'


def test_entities_inside_cdata_are_left_alone():
    assert storage_to_text(macro("code", plain("x &amp; y &rarr; z"))) == "```\nx &amp; y &rarr; z\n```"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>a<b>b</p>c</b>d", "ab\n\ncd"),  # unbalanced tags
        ("<p>x</p></confluence-storage-root><p>after</p>", "x\n\nafter"),  # closes our wrapper
        ("<foo:bar>undeclared</foo:bar> prefix", "undeclared prefix"),
        ("a < b && c > d", "a < b && c > d"),
        ("<p>one<p>two", "one\n\ntwo"),  # never closed
        ("<P>Upper</P><BR>case", "Upper\n\ncase"),
        ("<![CDATA[unterminated & <p>", "unterminated & <p>"),
        ('<p title="x>hello</p><p class="y">world</p>', '<p title="x>hello\n\nworld'),
        ("<!DOCTYPE html><html><body><p>doc</p></body></html>", "doc"),
        ('<?xml version="1.0"?><p>declared</p>', "declared"),
        ("<p>a]]>b</p>", "a]]>b"),
        ("<p>a\x00b\x0bc\ud800d\ufffe\x1fe</p>", "ab cd e"),  # XML-invalid; space-like ones -> " "
        ("<table><tr><td>a</td><td>b</td></table>extra</td>", "a | b\n\nextra"),
    ],
)
def test_malformed_input_keeps_text(body, expected):
    out = storage_to_text(body)
    assert out == expected
    assert_clean(out)


def test_ampersand_in_attribute_and_lone_surrogate_in_attribute():
    body = '<p><ac:link><ri:page ri:content-title="R&D \udc80 plan" /></ac:link></p>'
    assert storage_to_text(body) == "R&D plan"


@pytest.mark.parametrize(
    "body",
    [
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<p>" * 5000 + "deep",
        "<ac:rich-text-body>" * 5000 + "deep" + "</ac:rich-text-body>" * 5000,
        "<strong>" * 1500 + "deep" + "</strong>" * 1500,  # within libxml2's limit: strict path
        ("<ul><li>x" * 5000) + "deep",
        ("<table><tr><td>" * 5000) + "deep",
    ],
)
def test_deep_nesting(body):
    out = storage_to_text(body)
    assert out.endswith("deep")
    assert_clean(out)


def test_deep_list_nesting_indentation_is_capped():
    out = storage_to_text("<ul><li>x" * 200 + "end")
    lines = out.split("\n")
    assert len(lines) == 200
    assert lines[:3] == ["- x", "  - x", "    - x"]
    assert lines[-1] == " " * 64 + "- xend"  # 64 columns of indentation at most
    assert max(len(line) for line in lines) == 64 + len("- xend")


def test_ten_megabyte_bodies():
    rng = random.Random(7)
    para = "<p>" + " ".join(rng.choice(["alpha", "beta", "&amp;", "gamma&nbsp;"]) for _ in range(60)) + "</p>"
    well_formed = (para + "<ul><li>item</li></ul>") * (10_000_000 // (len(para) + 22))
    start = time.perf_counter()
    out = storage_to_text(well_formed)
    assert time.perf_counter() - start < 15
    assert word_count(out) == word_count(storage_to_text(para + "<ul><li>item</li></ul>")) * (
        10_000_000 // (len(para) + 22)
    )
    broken = "<p>a<b>" + "x " * 5_000_000  # unparseable: tolerant path, one huge text run
    assert storage_to_text(broken) == "a" + "x " * 4_999_999 + "x"


def test_many_stray_end_tags_stay_linear():
    # Text split by two million ignored end tags: joined once, not re-concatenated each time.
    start = time.perf_counter()
    assert storage_to_text("a</x>" * 2_000_000) == "a" * 2_000_000
    assert time.perf_counter() - start < 20


def test_bytes_input_is_tolerated():
    assert storage_to_text(b"<p>caf\xc3\xa9</p>") == "café"  # type: ignore[arg-type]


def test_thread_safety_of_parsing():
    bodies = [f"<p>body {n}</p><ul><li>{n}&nbsp;x</li></ul>" for n in range(400)]
    expected = [f"body {n}\n\n- {n} x" for n in range(400)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(storage_to_text, bodies)) == expected


# ---------------------------------------------------------------------------------------------
# Property-based tests

_TEXT_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from(" \t\n\xa0&<>]")
TEXT = st.text(_TEXT_CHARS, min_size=1, max_size=12)
CDATA_TEXT = TEXT.filter(lambda t: "]]>" not in t)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


# A fragment is (storage markup, the text nodes it contains in document order).
Fragment = tuple[str, list[str]]


def _leaf_strategies() -> st.SearchStrategy[Fragment]:
    return st.one_of(
        TEXT.map(lambda t: (esc(t), [t])),
        st.just(("<br/>", [])),
        st.tuples(st.sampled_from(["", "python", "java"]), CDATA_TEXT).map(
            lambda a: (macro("code", plain(a[1]), **({"language": a[0]} if a[0] else {})), [a[1]])
        ),
        CDATA_TEXT.map(lambda t: (macro("noformat", plain(t)), [t])),
        TEXT.map(lambda t: (macro("status", title=esc(t), colour="Green"), [])),
        st.just(('<time datetime="2024-05-01" />', [])),
        st.sampled_from(["u1", "zz"]).map(
            lambda u: (f'<ac:link><ri:user ri:account-id="{u}" /></ac:link>', [])
        ),
        TEXT.map(lambda t: (f'<ac:link><ri:page ri:content-title="{attr(t)}" /></ac:link>', [])),
        CDATA_TEXT.map(
            lambda t: (
                '<ac:link><ri:page ri:content-title="P" /><ac:plain-text-link-body>'
                f"<![CDATA[{t}]]></ac:plain-text-link-body></ac:link>",
                [t],
            )
        ),
        st.just(('<ac:image><ri:attachment ri:filename="a.png" /></ac:image>', [])),
        st.sampled_from(["toc", "children", "jira"]).map(lambda m: (macro(m, key="K-1"), [])),
        st.just((macro("view-file", file_param("f.pdf")), [])),
        st.just(('<ac:emoticon ac:name="smile" ac:emoji-fallback=":)" />', [])),
    )


def _join(children: list[Fragment]) -> Fragment:
    return "".join(c[0] for c in children), [t for c in children for t in c[1]]


def _wrap(open_tag: str, close_tag: str):
    def build(children: list[Fragment]) -> Fragment:
        xml, texts = _join(children)
        return open_tag + xml + close_tag, texts

    return build


def _list_of(tag: str):
    def build(children: list[Fragment]) -> Fragment:
        return f"<{tag}>" + "".join(f"<li>{c[0]}</li>" for c in children) + f"</{tag}>", _join(children)[1]

    return build


def _table(children: list[Fragment]) -> Fragment:
    rows = []
    for i in range(0, len(children), 3):
        cell = "th" if i == 0 else "td"
        rows.append("<tr>" + "".join(f"<{cell}>{c[0]}</{cell}>" for c in children[i : i + 3]) + "</tr>")
    return "<table><tbody>" + "".join(rows) + "</tbody></table>", _join(children)[1]


def _tasks(args: tuple[list[Fragment], list[bool]]) -> Fragment:
    children, done = args
    statuses = ["complete" if d else "incomplete" for d in done] + ["incomplete"] * len(children)
    tasks = "".join(
        f"<ac:task><ac:task-id>{n}</ac:task-id><ac:task-status>{statuses[n]}</ac:task-status>"
        f"<ac:task-body>{c[0]}</ac:task-body></ac:task>"
        for n, c in enumerate(children)
    )
    return f"<ac:task-list>{tasks}</ac:task-list>", _join(children)[1]


def _panel(args: tuple[str, str, list[Fragment]]) -> Fragment:
    name, title, children = args
    xml, texts = _join(children)
    return macro(name, rich(xml), title=esc(title)), texts


_SIMPLE_WRAPPERS = [
    _wrap(f"<{t}>", f"</{t}>")
    for t in ("p", "h1", "h2", "h4", "h6", "strong", "em", "span", "blockquote", "div", "pre", "u", "code")
] + [
    _wrap('<a href="https://x.example/?a=1&amp;b=2">', "</a>"),
    _wrap(
        '<ac:structured-macro ac:name="details"><ac:rich-text-body>',
        "</ac:rich-text-body></ac:structured-macro>",
    ),
    _wrap('<ac:link><ri:page ri:content-title="T" /><ac:link-body>', "</ac:link-body></ac:link>"),
    _wrap('<ac:image><ri:attachment ri:filename="i.png" /><ac:caption>', "</ac:caption></ac:image>"),
    _wrap(
        "<ac:layout><ac:layout-section><ac:layout-cell>",
        "</ac:layout-cell></ac:layout-section></ac:layout>",
    ),
    _wrap('<ac:inline-comment-marker ac:ref="r1">', "</ac:inline-comment-marker>"),
    _list_of("ul"),
    _list_of("ol"),
    _table,
]


PANEL_NAMES = {"info", "note", "warning", "tip", "panel", "expand"}


def _extend(children: st.SearchStrategy[Fragment]) -> st.SearchStrategy[Fragment]:
    kids = st.lists(children, min_size=1, max_size=4)
    return st.one_of(
        st.tuples(st.sampled_from(_SIMPLE_WRAPPERS), kids).map(lambda a: a[0](a[1])),
        st.tuples(kids, st.lists(st.booleans(), max_size=4)).map(_tasks),
        st.tuples(st.sampled_from(sorted(PANEL_NAMES)), TEXT, kids).map(_panel),
    )


TREES = st.lists(st.recursive(_leaf_strategies(), _extend, max_leaves=30), min_size=1, max_size=4).map(_join)


def assert_texts_in_order(texts: list[str], out: str) -> None:
    haystack = " ".join(out.split())
    pos = 0
    for text in texts:
        needle = " ".join(text.split())
        if not needle:
            continue
        found = haystack.find(needle, pos)
        assert found >= 0, f"{needle!r} missing (or out of order) after position {pos} in {haystack!r}"
        pos = found + len(needle)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_generated_trees_keep_every_text_node_in_order(fragment):
    xml, texts = fragment
    out = storage_to_text(xml, NAMES)
    assert_clean(out)
    assert_texts_in_order(texts, out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_strict_and_tolerant_parsers_render_the_same(fragment):
    xml, _ = fragment
    strict = _Renderer(NAMES).render(_parse_xml(xml))  # generated trees must parse strictly
    tolerant = _Renderer(NAMES).render(_parse_soup(xml))
    assert strict == tolerant


_SOUP_TAGS = ["p", "div", "span", "strong", "h2", "ul", "ol", "li", "table", "tr", "td", "th", "blockquote",
              "a", "pre", "ac:rich-text-body", "ac:layout-cell", "ac:task-list", "ac:task-body"]
SOUP_TOKENS = st.lists(
    st.one_of(
        TEXT.map(lambda t: ("text", t)),
        st.sampled_from(_SOUP_TAGS).map(lambda t: ("open", t)),
        st.sampled_from(_SOUP_TAGS).map(lambda t: ("close", t)),
    ),
    max_size=40,
)


_BODY_JUNK = ["", "<", "&", "&nbsp;", "]]>", "<![CDATA[", "</p>", "<!--", "-->", "<?xml version='1.0'?>", "\x00",
              "\udfff", "</confluence-storage-body>", "<confluence-storage-body>", "</confluence-storage-root>"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(TREES.map(lambda fragment: fragment[0]), st.sampled_from(_BODY_JUNK), st.none(),
                          st.tuples(TREES, st.sampled_from(_BODY_JUNK)).map(lambda pair: pair[0][0] + pair[1])),
                max_size=8))
def test_converting_a_page_of_bodies_at_once_is_converting_each(bodies):
    # storage_to_texts parses the bodies side by side in one document; whatever they contain
    # (a body that closes its neighbour's wrapper, an unterminated CDATA section), the texts
    # must be those of storage_to_text body by body.
    assert storage_to_texts(bodies, NAMES) == [storage_to_text(body, NAMES) for body in bodies]


@settings(max_examples=200, deadline=None)
@given(SOUP_TOKENS)
def test_tag_soup_keeps_every_text_run_in_order(tokens):
    markup = "".join(
        esc(v) if kind == "text" else (f"<{v}>" if kind == "open" else f"</{v}>") for kind, v in tokens
    )
    out = storage_to_text(markup)
    assert_clean(out)
    assert_texts_in_order([v for kind, v in tokens if kind == "text"], out)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    assert_clean(storage_to_text(text))


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("<>/&;#!?[]=\"' \nxacri:pbu-CDAT0123456789\x00\ud800")), max_size=200))
def test_never_raises_on_markup_like_noise(text):
    assert_clean(storage_to_text(text, NAMES))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES, st.data())
def test_never_raises_on_corrupted_trees(fragment, data):
    xml, _ = fragment
    cut_start = data.draw(st.integers(0, len(xml)))
    cut_end = data.draw(st.integers(cut_start, len(xml)))
    junk = data.draw(st.sampled_from([
        "", "<", "&", "]]>", "<![CDATA[", "</p>", "<ac:link>", "\x00", "\udfff",
    ]))
    assert_clean(storage_to_text(xml[:cut_start] + junk + xml[cut_end:], NAMES))


@pytest.mark.parametrize(
    ("storage", "expected"),
    [
        ("<ac:structured-macro><p>kept</p></ac:structured-macro>", "kept"),
        ('<ac:structured-macro ac:name="info"><p>kept</p></ac:structured-macro>', "[Info]\n  kept"),
        ('<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter>'
         "</ac:structured-macro>", "[macro: toc]"),
    ],
)
def test_content_placed_straight_inside_a_macro_is_kept(storage, expected):
    assert storage_to_text(storage) == expected
