"""startup.classes_imported_on_first_use: a stand-in answers `isinstance`, `issubclass`, calls and
attributes as its class does, imports the class's module only on a use that needs it (once, with
threads), and leaves `sys.modules` to the real module after its block. The CDK still uses the
declarative classes it names only in `isinstance` checks, and requests-cache still takes the stand-in."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from source_confluence.startup import CLASSES_A_SYNC_NEVER_USES, StandIn, classes_imported_on_first_use

ROOT = Path(__file__).resolve().parent.parent
MODULE = "stand_in_subject"
SUBJECT = """
import sys
sys.modules.setdefault("stand_in_executions", []).append(1)

class Base:
    kind = "base"

class Subject(Base):
    kind = "subject"

    def __init__(self, value):
        self.value = value

class Other:
    pass
"""


@pytest.fixture
def subject_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """A module not imported yet, whose executions are counted."""
    (tmp_path / f"{MODULE}.py").write_text(SUBJECT)
    monkeypatch.syspath_prepend(str(tmp_path))
    executions: list[int] = []
    monkeypatch.setitem(sys.modules, "stand_in_executions", executions)  # type: ignore[arg-type]
    yield executions
    sys.modules.pop(MODULE, None)


def stand_ins() -> tuple[type, type]:
    with classes_imported_on_first_use({MODULE: ("Subject", "Base")}):
        from stand_in_subject import Base, Subject  # type: ignore[import-not-found]
    return Subject, Base


def test_checks_against_a_stand_in_are_false_and_import_nothing_while_its_module_is_not_imported(
        subject_module: list[int]) -> None:
    subject, base = stand_ins()
    assert type(subject) is StandIn and MODULE not in sys.modules  # the block left no stand-in module behind
    assert not isinstance(object(), subject) and not issubclass(int, base)
    assert not isinstance(object(), subject | int) and isinstance(None, subject | None)  # a union, as in annotations
    assert subject_module == []


def test_once_the_module_is_imported_a_stand_in_answers_as_its_class(subject_module: list[int]) -> None:
    subject, base = stand_ins()
    real = importlib.import_module(MODULE)
    assert isinstance(real.Subject(1), subject) and isinstance(real.Subject(1), base)
    assert not isinstance(real.Other(), base)
    assert issubclass(real.Subject, base) and not issubclass(real.Other, subject)
    assert subject.real_class() is real.Subject  # type: ignore[attr-defined]
    assert subject_module == [1]


def test_a_call_or_an_attribute_imports_the_module_once_and_uses_the_real_class(subject_module: list[int]) -> None:
    subject, base = stand_ins()
    made = subject(5)
    assert type(made) is importlib.import_module(MODULE).Subject and made.value == 5
    assert subject.kind == "subject" and base.kind == "base"  # type: ignore[attr-defined]
    assert isinstance(made, subject) and subject_module == [1]


def test_threads_using_a_stand_in_at_once_import_its_module_once(subject_module: list[int]) -> None:
    subject, _ = stand_ins()
    start = threading.Barrier(8)
    made: list[object] = []

    def use() -> None:
        start.wait()
        made.append(subject(0))

    threads = [threading.Thread(target=use) for _ in range(8)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    assert len(made) == 8 and {type(m) for m in made} == {importlib.import_module(MODULE).Subject}
    assert subject_module == [1]


def test_a_use_inside_the_block_imports_the_real_module(subject_module: list[int]) -> None:
    with classes_imported_on_first_use({MODULE: ("Subject",)}):
        from stand_in_subject import Subject
        made = Subject(2)
        from stand_in_subject import Other  # the real module from then on
    assert type(made).__module__ == MODULE and Other.__name__ == "Other" and subject_module == [1]


def test_a_name_not_stood_in_for_fails_its_import_and_subclassing_a_stand_in_fails(subject_module: list[int]) -> None:
    with classes_imported_on_first_use({MODULE: ("Subject",)}):
        with pytest.raises(ImportError, match="take it out of CLASSES_A_SYNC_NEVER_USES"):
            from stand_in_subject import Other  # noqa: F401
        from stand_in_subject import Subject
    with pytest.raises(TypeError, match="subclasses a stand-in"):
        type("Derived", (Subject,), {})
    assert subject_module == []


def test_a_module_already_imported_is_left_alone(subject_module: list[int]) -> None:
    real = importlib.import_module(MODULE)
    subject, _ = stand_ins()
    assert subject is real.Subject and subject_module == [1]


def _uses_outside_isinstance(path: Path, names: set[str]) -> list[str]:
    """Each use of `names` in a module that is not the second argument of `isinstance` or part of an
    annotation (the import itself is not a use)."""
    tree = ast.parse(path.read_text())
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            allowed.update(id(n) for n in ast.walk(node.args[1]))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations = [a.annotation for a in (*node.args.args, *node.args.kwonlyargs) if a.annotation]
            allowed.update(id(n) for a in [*annotations, node.returns] if a is not None for n in ast.walk(a))
        if isinstance(node, ast.AnnAssign):
            allowed.update(id(n) for n in ast.walk(node.annotation))
    return [f"{path.name}:{node.lineno} {node.id}" for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id in names and id(node) not in allowed]


@pytest.mark.parametrize("importer", ["airbyte_cdk.sources.concurrent_source.concurrent_read_processor",
                                      "airbyte_cdk.sources.streams.concurrent.default_stream"])
def test_the_cdk_uses_the_declarative_classes_it_names_only_in_isinstance_checks(importer: str) -> None:
    spec = importlib.util.find_spec(importer)
    assert spec is not None and spec.origin is not None
    names = {name for module, classes in CLASSES_A_SYNC_NEVER_USES.items()
             if module.startswith("airbyte_cdk.") for name in classes}
    source = Path(spec.origin)
    assert names & {n.id for n in ast.walk(ast.parse(source.read_text())) if isinstance(n, ast.Name)}
    assert _uses_outside_isinstance(source, names) == []


def test_requests_cache_takes_the_stand_ins_for_its_dynamodb_backend() -> None:
    done = subprocess.run(  # noqa: S603 - a fresh process: requests-cache imported under the stand-ins
        [sys.executable, "-c", "import sys, source_confluence, requests_cache.backends as b\n"
                               "from source_confluence.startup import StandIn\n"
                               "print(type(b.DynamoDbCache) is StandIn, type(b.BACKEND_CLASSES['dynamodb']) is StandIn,"
                               " 'requests_cache.backends.dynamodb' in sys.modules)\n"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True", "False"]


def test_after_the_declarative_framework_is_imported_the_cdk_checks_answer_as_before() -> None:
    done = subprocess.run(  # noqa: S603 - a fresh process: the stand-ins first, the framework later
        [sys.executable, "-c",
         "import source_confluence\n"
         "from airbyte_cdk.sources.concurrent_source import concurrent_read_processor as crp\n"
         "from airbyte_cdk.sources.streams.concurrent import default_stream as ds\n"
         "from source_confluence.startup import StandIn\n"
         "before = [issubclass(int, crp.SubstreamPartitionRouter), type(ds.PartitionRouter) is StandIn]\n"
         "from airbyte_cdk.sources.declarative.partition_routers import ListPartitionRouter, "
         "SubstreamPartitionRouter, PartitionRouter\n"
         "after = [issubclass(SubstreamPartitionRouter, crp.SubstreamPartitionRouter),\n"
         "         issubclass(ListPartitionRouter, crp.SubstreamPartitionRouter),\n"
         "         issubclass(ListPartitionRouter, ds.PartitionRouter), ds.PartitionRouter.real_class() is PartitionRouter]\n"
         "print(*before, *after)\n"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True", "True", "False", "True", "True"]
