"""Record transformation fuzzed with arbitrary JSON-ish objects (hypothesis).

The API is trusted to send its documented shapes, but a proxy, a plugin or a new API version may
not: whatever arrives, a record function must not raise, must return exactly its stream's fields
with the schema's types (serialisable as strict JSON), keep every text it was given, and put only
canonical timestamps in timestamp fields (cursors are compared as strings).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_confluence.records import builders as records
from source_confluence.records.body_text import storage_to_text
from source_confluence.records.references import Built
from source_confluence.streams.base import load_schema
from source_confluence.timestamps import normalize_timestamp

CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
TIMESTAMP_FIELDS = ("created_at", "updated_at", "deleted_at", "due_at", "completed_at")
BASE = "https://example.atlassian.net/wiki"

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30))
JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12)
TIMESTAMPS = (JSONISH | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
              | st.text(alphabet="0123456789-T:.Z+", min_size=20, max_size=30)
              | st.integers(min_value=-(2**62), max_value=2**62))
MARKUP = st.lists(st.sampled_from([
    "<p>", "</p>", "<h1>", "</h1>", "<ul><li>", "</li></ul>", "<table><tr><td>", "</td></tr></table>",
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x = 1]]></ac:plain-text-body></ac:structured-macro>',
    '<ac:link><ri:user ri:account-id="abc"/></ac:link>', "&amp;", "&nbsp;", "&bogus;", "<", ">", "]]>",
    "word", "Grüße", "東京", "🙂", "\u200b", "\x00", "\ud800", " ", "\n",
]), max_size=40).map("".join)
TEXT = st.text(max_size=40) | MARKUP


def field(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field that is usually the expected kind of value, sometimes anything at all."""
    return st.one_of(values, JSONISH)


VERSION = field(st.fixed_dictionaries({}, optional={
    "number": field(st.integers(min_value=-5, max_value=10**6)), "createdAt": TIMESTAMPS,
    "authorId": field(st.text(max_size=30)), "message": field(TEXT), "minorEdit": JSONISH}))
BODY = field(st.fixed_dictionaries({}, optional={"storage": field(st.fixed_dictionaries(
    {}, optional={"value": field(TEXT), "representation": JSONISH}))}))
LINKS = field(st.fixed_dictionaries({}, optional={"webui": field(st.text(max_size=30)), "base": JSONISH}))
ID = st.one_of(st.integers(min_value=0, max_value=10**12).map(str), st.integers(min_value=0, max_value=10**12),
               st.text(min_size=1, max_size=12))


def obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An API object: an id, any subset of the known fields, and unknown extra keys."""
    known = st.fixed_dictionaries({"id": ID}, optional=fields)
    extra = st.dictionaries(st.text(max_size=8).filter(lambda k: k not in fields and k != "id"), JSONISH, max_size=3)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


CONTENT = obj(spaceId=JSONISH, title=field(TEXT), status=field(st.sampled_from(["current", "trashed", "deleted"])),
              parentId=JSONISH, parentType=JSONISH, position=JSONISH, authorId=JSONISH, ownerId=JSONISH,
              createdAt=TIMESTAMPS, version=VERSION, body=BODY, _links=LINKS)
COMMENT = obj(pageId=JSONISH, blogPostId=JSONISH, parentCommentId=JSONISH, status=JSONISH, title=field(TEXT),
              resolutionStatus=JSONISH, createdAt=TIMESTAMPS, version=VERSION, body=BODY, _links=LINKS,
              properties=field(st.fixed_dictionaries({}, optional={"inlineOriginalSelection": field(TEXT)})))
ATTACHMENT = obj(title=field(TEXT), mediaType=JSONISH, fileSize=JSONISH, comment=field(TEXT), pageId=JSONISH,
                 blogPostId=JSONISH, status=JSONISH, createdAt=TIMESTAMPS, version=VERSION,
                 downloadLink=field(st.text(max_size=30)), webuiLink=field(st.text(max_size=30)), _links=LINKS)
TASK = obj(localId=JSONISH, pageId=JSONISH, blogPostId=JSONISH, spaceId=JSONISH, status=JSONISH, body=BODY,
           createdBy=JSONISH, assignedTo=JSONISH, completedBy=JSONISH, dueAt=TIMESTAMPS, createdAt=TIMESTAMPS,
           updatedAt=TIMESTAMPS, completedAt=TIMESTAMPS)
SPACE = obj(key=field(TEXT), name=field(TEXT), type=JSONISH, status=JSONISH, homepageId=JSONISH, authorId=JSONISH,
            createdAt=TIMESTAMPS, _links=LINKS, _base_url=st.just(BASE),  # set by our client, not the API
            description=field(st.fixed_dictionaries({}, optional={"plain": field(st.fixed_dictionaries(
                {}, optional={"value": field(TEXT)}))})))
USER = st.fixed_dictionaries({"accountId": ID}, optional={
    "displayName": field(TEXT), "publicName": field(TEXT), "email": JSONISH, "accountType": JSONISH,
    "accountStatus": JSONISH, "_links": LINKS})
LABEL = obj(name=field(TEXT), prefix=JSONISH)
NAMES = st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)


def check_record(stream: str, record: Mapping[str, Any], *stamps: Any) -> None:
    """`stamps`: the timestamps the cursor may come from; the cursor is null only if none parses."""
    schema = copy.deepcopy(dict(load_schema(stream)))
    assert set(record) == set(schema["properties"]), set(record) ^ set(schema["properties"])
    cursor = "resolved_at" if stream == "users" else "updated_at"
    if stamps and record.get(cursor) is None:
        assert all(normalize_timestamp(stamp) is None for stamp in stamps)
        schema["properties"][cursor]["type"] = ["null", "string"]
    jsonschema.validate(record, schema)
    json.dumps(record, allow_nan=False)  # what a destination can load
    for name in TIMESTAMP_FIELDS:
        if record.get(name) is not None:
            assert CANONICAL.fullmatch(record[name]), (name, record[name])


def path(raw: Any, *keys: str) -> Any:
    for key in keys:
        raw = raw.get(key) if isinstance(raw, Mapping) else None
    return raw


def keeps_text(record: Mapping[str, Any], name: str, given: Any) -> None:
    """A non-empty string field arrives unchanged."""
    if isinstance(given, str) and given:
        assert record[name] == given


def keeps_body(record: Mapping[str, Any], raw: Mapping[str, Any], with_storage: bool = True) -> None:
    value = path(raw, "body", "storage", "value")
    if isinstance(value, str):
        if with_storage:
            assert record["body_storage"] == value
        assert record["body_text"] == storage_to_text(value)
        # Words outside markup survive conversion (body_text's own property tests go further).
        if "<" not in value and "&" not in value:
            assert all(word in record["body_text"] for word in value.split() if word.isalnum())


def named_accounts(built: Built, *fields: str) -> dict[str, Any]:
    """The built record, after checking that its references are exactly the accounts it names in
    `fields` (and no container: the converters add those)."""
    assert built.record is not None
    assert built.references.accounts == tuple(built.record[f] for f in fields if built.record[f])
    assert built.references.containers == ()
    return built.record


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(CONTENT, NAMES, st.booleans())
def test_content_records(raw, names, with_parent):
    record = named_accounts(records.content_record(raw, BASE, names, with_parent=with_parent),
                            "author_id", "owner_id", "version_author_id")
    expected = set(load_schema("pages" if with_parent else "blog_posts")["properties"])
    assert set(record) == expected
    check_record("pages" if with_parent else "blog_posts", record, path(raw, "version", "createdAt"), raw.get("createdAt"))
    assert record["id"] == str(raw["id"])
    keeps_text(record, "title", raw.get("title"))
    keeps_text(record, "version_message", path(raw, "version", "message"))
    keeps_body(record, raw)


@FUZZ
@given(COMMENT, st.sampled_from(["footer", "inline"]), NAMES)
def test_comment_records(raw, comment_type, names):
    record = named_accounts(records.comment_record(raw, comment_type, BASE, "42", names), "author_id")
    check_record("comments", record, path(raw, "version", "createdAt"))
    keeps_text(record, "title", raw.get("title"))
    if comment_type == "inline":
        keeps_text(record, "inline_original_selection", path(raw, "properties", "inlineOriginalSelection"))
    keeps_body(record, raw)


@FUZZ
@given(ATTACHMENT)
def test_attachment_records(raw):
    record = named_accounts(records.attachment_record(raw, BASE, None), "author_id")
    check_record("attachments", record, path(raw, "version", "createdAt"), raw.get("createdAt"))
    keeps_text(record, "title", raw.get("title"))
    keeps_text(record, "comment", raw.get("comment"))


@FUZZ
@given(TASK)
def test_task_records(raw):
    record = named_accounts(records.task_record(raw), "created_by", "assigned_to", "completed_by")
    check_record("tasks", record, raw.get("updatedAt"), raw.get("createdAt"))
    keeps_body(record, raw, with_storage=False)


@FUZZ
@given(SPACE)
def test_space_records(raw):
    record = records.space_record(raw)
    check_record("spaces", record)
    keeps_text(record, "name", raw.get("name"))
    keeps_text(record, "description", path(raw, "description", "plain", "value"))


@FUZZ
@given(USER, TIMESTAMPS)
def test_user_records(raw, resolved_at):
    stamp = normalize_timestamp(resolved_at) or "2024-01-01T00:00:00.000Z"
    record = records.user_record(raw, BASE, stamp)
    check_record("users", record)
    keeps_text(record, "display_name", raw.get("displayName"))
    assert record["profile_url"]


@FUZZ
@given(LABEL, ID, st.sampled_from(["page", "blogpost", "attachment", "space"]))
def test_label_records(raw, content_id, content_type):
    record = records.label_record(raw, str(content_id), content_type, None, "2024-05-01T10:00:00.000Z")
    check_record("content_labels", record)
    keeps_text(record, "label_name", raw.get("name"))


@FUZZ
@given(TIMESTAMPS)
def test_timestamps_are_canonical_or_none(value):
    out = normalize_timestamp(value)
    assert out is None or CANONICAL.fullmatch(out)


HUGE_AND_DEEP: list[Callable[[], str]] = [
    lambda: "<p>" + "lorem ipsum " * 150_000 + "</p>",  # ~1.8 MB
    lambda: "<div>" * 3000 + "deep text" + "</div>" * 3000,
    lambda: "<ul>" + "<li><ul>" * 1500 + "<li>leaf item</li>" + "</ul></li>" * 1500 + "</ul>",
    lambda: "<table>" + "<tr><td>cell</td></tr>" * 20_000 + "</table>",
    lambda: "<p>" * 5000 + "never closed",
]


def test_huge_and_deeply_nested_bodies_keep_their_text():
    for make in HUGE_AND_DEEP:
        body = make()
        raw = {"id": "1", "title": "t", "version": {"number": 1, "createdAt": "2024-01-01T00:00:00.000Z"},
               "body": {"storage": {"value": body}}}
        record = named_accounts(records.content_record(raw, BASE), "author_id", "owner_id", "version_author_id")
        check_record("pages", record)
        words = {w for w in re.sub(r"<[^>]*>", " ", body).split()}
        assert words <= set(record["body_text"].split()), words - set(record["body_text"].split())
        assert record["word_count"] >= len(words)


def test_non_ascii_digits_are_not_taken_for_a_canonical_timestamp():
    from source_confluence.timestamps import normalize_timestamp

    assert normalize_timestamp("2024-01-01T00:00:00.000Z") == "2024-01-01T00:00:00.000Z"
    assert normalize_timestamp("\u0662\u0660\u0662\u0664-01-01T00:00:00.000Z") != "\u0662\u0660\u0662\u0664-01-01T00:00:00.000Z"
