"""Start-up: what importing the CDK costs a `read`, and the two parts of it that a sync never uses.

1. The CDK's package `__init__` re-exports the whole framework (destinations, the legacy declarative
   stream, the YAML manifest source, dunamai for `__version__`), and Python runs it for any
   `airbyte_cdk.x` import. `defer_package_init` puts the package in `sys.modules` with its own
   loader and `__path__` but runs that `__init__` only, into the same module, on the first look-up
   of a name the package does not have yet (PEP 562's module `__getattr__`). `import
   airbyte_cdk.models` works as before; `from airbyte_cdk import launch` or `airbyte_cdk.__version__`
   still find their names (they run the `__init__` first). What the CDK's concurrent read itself
   imports stays: its `DefaultStream` reaches the declarative retrievers, and through them the
   manifest's pydantic models, by direct imports (not via an `__init__` that could be deferred).
2. Building the protocol's serpyco-rs serializers (`airbyte_cdk.models`) reads every model class's
   attribute docs (`attributes_doc`: `inspect.getsource` and `ast.parse` of each class of the MRO,
   the standard library's `enum.py` for each enum) for the serializers' JSON schemas, which no sync
   reads; the protocol's model classes have no attribute docs, so the look-up finds nothing.
   `serializers_without_attribute_docs` makes it answer "no docs" while the CDK is imported: the
   same encoders and schemas. The look-up is serpyco-rs's own name in the two modules that call it;
   if a release moves it, this raises at import instead of silently costing the time again, and
   unit_tests/test_startup.py checks that the schemas stay the same.
benchmarks/RESULTS.md ("Start-up") has the figures.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# serpyco-rs's modules that look up attribute docs, each under the name `get_attributes_doc`
SERPYCO_DOC_LOOKUPS = ("serpyco_rs._describe", "serpyco_rs._json_schema._convert")
_DOC_LOOKUP = "get_attributes_doc"


def defer_package_init(name: str) -> None:
    """Make the top-level package `name` importable without running its `__init__` until a name it
    defines is looked up (see the module's docstring). A no-op once it is imported."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    package = importlib.util.module_from_spec(spec)  # its own loader and __path__: data files still resolve
    loader = spec.loader
    first_use = threading.Lock()
    initialising: list[int] = []  # the thread running the `__init__`

    def run_init_then_get(attribute: str) -> Any:
        submodule = sys.modules.get(f"{name}.{attribute}")
        if submodule is not None:  # imported, not yet bound (`import a.b.c as d` while b is running)
            return submodule
        if initialising == [threading.get_ident()]:  # a name the running `__init__` has not bound yet
            raise AttributeError(f"partially initialised module {name!r} has no attribute {attribute!r}")
        with first_use:  # one thread runs the `__init__`, the others wait for it to end
            if package.__dict__.get("__getattr__") is run_init_then_get:
                initialising.append(threading.get_ident())
                try:
                    loader.exec_module(package)
                finally:
                    del package.__dict__["__getattr__"]
                    initialising.clear()
        return getattr(package, attribute)

    package.__dict__["__getattr__"] = run_init_then_get
    sys.modules[name] = package


def _no_docs(cls: type) -> dict[str, str]:
    return {}


@contextmanager
def serializers_without_attribute_docs() -> Iterator[None]:
    """Within the block, serpyco-rs builds serializers without reading attribute docs (see above)."""
    modules = [importlib.import_module(name) for name in SERPYCO_DOC_LOOKUPS]
    originals = [getattr(module, _DOC_LOOKUP) for module in modules]  # AttributeError: serpyco-rs moved it
    for module in modules:
        setattr(module, _DOC_LOOKUP, _no_docs)
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            setattr(module, _DOC_LOOKUP, original)

