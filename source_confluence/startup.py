"""Start-up: the CDK's import, one parse per source file instead of one per class.

Importing anything from airbyte_cdk runs its package `__init__`, which builds the protocol's
serializers (serpyco-rs); for their JSON schemas they read every model class's attribute docs
with `inspect.getsource`, and Python 3.11's `inspect.findsource` parses the class's whole module
with `ast.parse` for each class. That was about a fifth of a `read`'s CPU before its first request
(benchmarks/RESULTS.md, "Start-up"). While the CDK is imported, `inspect` gets a view of `ast` whose
`parse` remembers its last few results: the same files, parsed once. Only `inspect`'s own look-ups
see it (they only read the tree), and it is removed as soon as the import is done.
"""

from __future__ import annotations

import ast
import functools
import inspect
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _AstWithParseCache(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("ast")
        self.parse = functools.lru_cache(maxsize=8)(ast.parse)

    def __getattr__(self, name: str) -> Any:
        return getattr(ast, name)


@contextmanager
def shared_class_source_parses() -> Iterator[None]:
    """Within the block, `inspect` parses each source file once (see the module's docstring)."""
    original = inspect.ast  # type: ignore[attr-defined]
    inspect.ast = _AstWithParseCache()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        inspect.ast = original  # type: ignore[attr-defined]
