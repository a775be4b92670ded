"""Documents -> chunks (pipeline/ai/splitting.py): the token bound, the heading path, stable ids, and the
hostile inputs: a table and a code block larger than a chunk, a code line larger than a chunk."""

from __future__ import annotations

import re

import pytest

from pipeline.ai.splitting import ChunkSettings, ChunkSettingsError, count_tokens, protect_code_blocks, split_text
from source_confluence.records.body_text import storage_to_text

SMALL = ChunkSettings(max_tokens=64, overlap_tokens=8)


def _fences(text: str) -> list[str]:
    return [line for line in text.split("\n") if re.match(r"^ {0,3}```", line)]


def test_token_counts_are_the_tokenizers() -> None:
    # cl100k_base: "hello world" is two tokens, "Hello, world! This is a test." nine.
    assert count_tokens("hello world", 512) == 2
    assert count_tokens("Hello, world! This is a test.", 512) == 9
    assert count_tokens("", 512) == 0


def test_a_table_larger_than_a_chunk_is_cut_between_rows() -> None:
    rows = [f"row {i} | cell alpha {i} | another cell with words {i}. And a sentence." for i in range(40)]
    text = "# Table page\n\nIntro.\n\n" + "\n".join(rows) + "\n\nAfter the table."
    chunks = split_text(text, SMALL)
    assert len(chunks) > 5
    seen = []
    for chunk in chunks:
        assert chunk.token_count <= SMALL.max_tokens
        assert chunk.token_count == count_tokens(chunk.text, 10_000)
        for line in chunk.text.split("\n"):
            if " | " in line:
                assert line in rows, f"a row was cut: {line!r}"
                seen.append(line)
    assert set(seen) == set(rows)


def test_a_code_block_larger_than_a_chunk_is_recut_into_complete_fenced_blocks() -> None:
    code = [f"x_{i} = compute(alpha, beta, gamma, {i})  # a comment. More words." for i in range(40)]
    text = "# Code page\n\n## Setup\n\nRun this:\n\n```python\n" + "\n".join(code) + "\n```\n\nDone."
    chunks = split_text(text, SMALL)
    code_lines = []
    for chunk in chunks:
        assert chunk.token_count <= SMALL.max_tokens
        fences = _fences(chunk.text)
        assert len(fences) % 2 == 0, f"a chunk opens a code block it does not close:\n{chunk.text}"
        assert fences[::2] == ["```python"] * (len(fences) // 2)
        code_lines += [line for line in chunk.text.split("\n") if line.startswith("x_")]
    assert code_lines == code  # every line once, in order, none cut
    assert any(c.heading_path == "Code page > Setup" and "```python" in c.text for c in chunks)


def test_a_code_line_larger_than_a_chunk_is_cut_into_fenced_pieces() -> None:
    line = "payload = '" + "abcdefgh " * 200 + "'"
    chunks = split_text(f"# Page\n\n```\n{line}\n```", SMALL)
    pieces = [c for c in chunks if "abcdefgh" in c.text]
    assert len(pieces) > 3
    for chunk in pieces:
        assert chunk.token_count <= SMALL.max_tokens
        assert len(_fences(chunk.text)) % 2 == 0
    assert "".join(c.text.replace("```", "").strip("\n") for c in pieces).split() == line.split()


def test_small_code_blocks_and_other_text_are_left_alone() -> None:
    text = "# T\n\n```sql\nselect 1\n```\n\n~~~\nraw\n~~~\n\nText."
    assert protect_code_blocks(text, 64) == text


def test_heading_path_follows_nesting_and_ignores_hashes_in_code() -> None:
    text = ("# Guide\n\nIntro.\n\n## Install\n\n" + "Install words go here. " * 30 + "\n\n```bash\n# not a heading\n```\n\n"
            "### Linux\n\n" + "Linux words go here. " * 30 + "\n\n## Comments\n\n### Ada on 2024-05-01 (comment)\n\n"
            + "Nice words in a comment. " * 30)
    paths = [c.heading_path for c in split_text(text, SMALL)]
    assert paths[0] == "Guide"
    assert "Guide > Install" in paths
    assert "Guide > Install > Linux" in paths
    assert paths[-1] == "Guide > Comments > Ada on 2024-05-01 (comment)"
    assert not any("not a heading" in p for p in paths)


def test_an_unchanged_chunk_keeps_its_id_and_an_edited_one_does_not() -> None:
    first = "# Page\n\n## A\n\n" + "Alpha sentence one. " * 40 + "\n\n## B\n\n" + "Beta sentence two. " * 40
    second = first.replace("Beta sentence two. Beta", "Beta sentence 2. Beta", 1)
    before = [c.chunk_id("p1") for c in split_text(first, SMALL)]
    after = [c.chunk_id("p1") for c in split_text(second, SMALL)]
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    # Section A's chunks (the first six: title, heading, text) keep their ids; B's edited text does not.
    assert changed and min(changed) >= 6 and len(changed) < len(before) - 6
    assert all(re.fullmatch(r"p1:\d+:[0-9a-f]{16}", i) for i in before)


def test_known_counts_are_reused() -> None:
    chunks = split_text("# Page\n\nSome text.", SMALL, known_counts={"# Page\n\nSome text.": 999})
    assert [c.token_count for c in chunks] == [999]


def test_empty_documents_have_no_chunks() -> None:
    assert split_text("", SMALL) == [] and split_text("  \n ", SMALL) == []


@pytest.mark.parametrize(("tokens", "overlap", "named"), [(8, 0, "max_tokens"), (512, -1, "overlap_tokens"),
                                                          (512, 256, "overlap_tokens"), ("512", 0, "max_tokens")])
def test_settings_that_cannot_work_are_refused_by_name(tokens: object, overlap: object, named: str) -> None:
    with pytest.raises(ChunkSettingsError, match=named):
        ChunkSettings(max_tokens=tokens, overlap_tokens=overlap)  # type: ignore[arg-type]


def test_a_rendered_body_splits_at_its_headings_and_never_inside_a_row_or_a_code_block() -> None:
    # The connector's own rendering: h1/h2 sections holding a table and code larger than a chunk,
    # one code block inside a panel (indented) and one in a list item.
    rows = "".join(f"<tr><td>row {i}</td><td>cell words {i}. A sentence here.</td></tr>" for i in range(30))
    code = "\n".join(f"# step {i}\nrun --flag {i} && echo done. More words." for i in range(25))
    code_macro = ('<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter>'
                  f"<ac:plain-text-body><![CDATA[{code}]]></ac:plain-text-body></ac:structured-macro>")
    panel = f'<ac:structured-macro ac:name="info"><ac:rich-text-body>{code_macro}</ac:rich-text-body></ac:structured-macro>'
    body = (f"<h1>Data</h1><p>Intro.</p><table><tbody>{rows}</tbody></table><h2>Scripts</h2>{code_macro}"
            f"<h2>Notes</h2>{panel}<ul><li>{code_macro}</li></ul>")
    text = storage_to_text(body)
    assert text.startswith("# Data\n") and "\n## Scripts\n" in text
    chunks = split_text(text, SMALL)
    table_rows = [f"row {i} | cell words {i}. A sentence here." for i in range(30)]
    seen_rows, code_lines = [], []
    for chunk in chunks:
        assert chunk.token_count <= SMALL.max_tokens
        lines = chunk.text.split("\n")
        assert len([line for line in lines if line.strip().lstrip("- ").startswith("```")]) % 2 == 0, chunk.text
        seen_rows += [line for line in lines if line.startswith("row ")]
        code_lines += [line.strip().lstrip("- ") for line in lines if "run --flag" in line]
        if "row 29 |" in chunk.text or "row 0 |" in chunk.text:
            assert chunk.heading_path == "Data"
        if "run --flag 24" in chunk.text and "\n  " not in chunk.text:
            assert chunk.heading_path == "Data > Scripts"
    assert sorted(set(seen_rows)) == sorted(table_rows)
    # Every code line whole, each block's lines once and in order (overlap may repeat a line).
    expected = [f"run --flag {i} && echo done. More words." for i in range(25)]
    deduplicated = [line for i, line in enumerate(code_lines) if i == 0 or line != code_lines[i - 1]]
    assert set(code_lines) == set(expected) and len(deduplicated) >= 3 * len(expected)
    assert {c.heading_path for c in chunks} == {"Data", "Data > Scripts", "Data > Notes"}
