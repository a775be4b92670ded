"""startup.py: a `read` runs without the CDK's package `__init__` (the declarative framework's
re-exports, destinations, dunamai), the names of that `__init__` still resolve, and the protocol's
serializers are built without reading attribute docs: the same encoders and schemas. Classes a sync
never uses are stand-ins whose modules a read does not import; the stand-ins answer as the classes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, ConfiguredAirbyteCatalogSerializer
from airbyte_cdk.models.airbyte_protocol_serializers import custom_type_resolver
from serpyco_rs import Serializer
from serpyco_rs import _utils as serpyco_utils

from source_confluence import startup
from source_confluence.startup import SERPYCO_DOC_LOOKUPS, serializers_without_attribute_docs

ROOT = Path(__file__).resolve().parent.parent
# what only the CDK's package __init__ imports: none of it is needed to read
UNNEEDED = ("airbyte_cdk.destinations", "airbyte_cdk.legacy", "airbyte_cdk.sources.declarative.yaml_declarative_source",
            "dunamai")

READ_ONE_STREAM = """
import atexit, json, sys
from confluence_double import ConfluenceDouble, SiteSpec
work = sys.argv[1]
with ConfluenceDouble(SiteSpec(spaces=2, pages=4, blog_posts=1, footer_comments=1, inline_comments=1, tasks=1,
                               attachments=1, labels=1, users=2), latency_ms=0) as double:
    with open(work + "/config.json", "w") as f:
        json.dump(double.config(), f)
    def modules_at_exit():  # an exit handler: the connector's end still runs them
        with open(work + "/modules.json", "w") as f:
            json.dump(sorted(sys.modules), f)
    atexit.register(modules_at_exit)
    from source_confluence.run import run
    sys.argv = ["source-confluence", "read", "--config", work + "/config.json", "--catalog", work + "/catalog.json"]
    run()
    raise SystemExit("run() returned: the process was to end in it")
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def read_of_spaces(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], set[str]]:
    """A `read` of `spaces` in its own process: its messages and the modules it imported."""
    work = tmp_path_factory.mktemp("read")
    schema = json.loads((ROOT / "source_confluence" / "schemas" / "spaces.json").read_text())
    (work / "catalog.json").write_text(json.dumps({"streams": [{
        "stream": {"name": "spaces", "json_schema": schema, "supported_sync_modes": ["full_refresh"]},
        "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}))
    done = run_python(READ_ONE_STREAM, str(work))
    assert done.returncode == 0, done.stderr[-2000:]
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    return messages, set(json.loads((work / "modules.json").read_text()))


def test_a_read_of_one_stream_leaves_the_cdk_package_init_unrun(read_of_spaces) -> None:
    messages, modules = read_of_spaces
    records = [m for m in messages if m["type"] == "RECORD"]
    assert len(records) == 2 and {r["record"]["stream"] for r in records} == {"spaces"}
    assert messages[-1]["type"] == "LOG" and messages[-1]["log"]["message"].startswith("Cost of this sync")  # all of it
    assert "airbyte_cdk.sources.concurrent_source.concurrent_source" in modules  # the CDK did run the read
    assert [name for name in UNNEEDED if name in modules] == []


def test_a_read_of_one_stream_imports_no_module_of_the_declarative_framework(read_of_spaces) -> None:
    _, modules = read_of_spaces
    assert "airbyte_cdk.sources.streams.concurrent.default_stream" in modules
    assert sorted(name for name in modules if name.startswith("airbyte_cdk.sources.declarative")) == []


def test_a_read_of_one_stream_imports_neither_the_dynamodb_cache_backend_nor_cryptography(read_of_spaces) -> None:
    _, modules = read_of_spaces
    assert "requests_cache" in modules
    assert [name for name in ("requests_cache.backends.dynamodb", "boto3", "botocore", "cryptography")
            if name in modules] == []


def test_the_cdk_package_names_still_resolve_on_first_use() -> None:
    done = run_python(
        "import sys, source_confluence, airbyte_cdk\n"
        "before = 'airbyte_cdk.destinations' in sys.modules\n"
        "from airbyte_cdk import launch, Destination\n"
        "from airbyte_cdk.entrypoint import launch as defined\n"
        "print(before, launch is defined, Destination.__module__, airbyte_cdk.__version__ != '', "
        "'__getattr__' in vars(airbyte_cdk))\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True", "airbyte_cdk.destinations.destination", "True", "False"]


def test_threads_looking_up_names_at_once_all_find_them() -> None:
    done = run_python(
        "import threading, source_confluence, airbyte_cdk\n"
        "found = []\n"
        "def look(name):\n    found.append(getattr(airbyte_cdk, name).__name__)\n"
        "threads = [threading.Thread(target=look, args=(n,)) for n in ('launch', 'Destination', 'AirbyteEntrypoint')]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(*sorted(found))\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["AirbyteEntrypoint", "Destination", "launch"]


def test_a_missing_name_is_still_an_attribute_error_after_the_init() -> None:
    done = run_python("import source_confluence, airbyte_cdk\n"
                      "try:\n    airbyte_cdk.no_such_name\nexcept AttributeError:\n    print('AttributeError')\n"
                      "print(airbyte_cdk.AirbyteEntrypoint.__name__)\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["AttributeError", "AirbyteEntrypoint"]


def test_serializers_built_without_docs_read_no_source_and_encode_the_same(monkeypatch) -> None:
    import inspect
    calls: list[object] = []
    real_getsource = inspect.getsource

    def counting_getsource(target: object) -> str:
        calls.append(target)
        return real_getsource(target)

    monkeypatch.setattr(inspect, "getsource", counting_getsource)
    with serializers_without_attribute_docs():
        without_docs = Serializer(AirbyteMessage, omit_none=True, custom_type_resolver=custom_type_resolver)
    assert calls == []
    serpyco_utils.get_attributes_doc.cache_clear()  # serpyco-rs remembers each class's docs
    with_docs = Serializer(AirbyteMessage, omit_none=True, custom_type_resolver=custom_type_resolver)
    assert calls != []  # serpyco-rs reads the sources of the model classes for their attribute docs
    message = {"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": 1.5, "error": {
        "message": "boom", "failure_type": "config_error", "stack_trace": "x"}}}
    for serializer in (without_docs, with_docs, AirbyteMessageSerializer):
        assert serializer.dump(serializer.load(message)) == message
    # the protocol's model classes have no attribute docs: the look-up found nothing to lose
    assert without_docs.get_json_schema() == with_docs.get_json_schema()
    catalog = {"streams": [{"stream": {"name": "s", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
    assert ConfiguredAirbyteCatalogSerializer.dump(ConfiguredAirbyteCatalogSerializer.load(catalog))["streams"][0][
        "stream"]["name"] == "s"



@pytest.mark.parametrize("name", SERPYCO_DOC_LOOKUPS)
def test_serpyco_rs_still_looks_docs_up_where_startup_replaces_it_and_gets_it_back(name: str) -> None:
    import importlib
    module = importlib.import_module(name)
    original = module.get_attributes_doc
    with serializers_without_attribute_docs():
        assert module.get_attributes_doc is startup._no_docs
    assert module.get_attributes_doc is original
