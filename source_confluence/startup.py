"""Start-up: what importing the CDK costs a `read`, and the parts of it that a sync never uses.

1. The CDK's package `__init__` re-exports the whole framework (destinations, the legacy declarative
   stream, the YAML manifest source, dunamai for `__version__`), and Python runs it for any
   `airbyte_cdk.x` import. `defer_package_init` puts the package in `sys.modules` with its own
   loader and `__path__` but runs that `__init__` only, into the same module, on the first look-up
   of a name the package does not have yet (PEP 562's module `__getattr__`). `import
   airbyte_cdk.models` works as before; `from airbyte_cdk import launch` or `airbyte_cdk.__version__`
   still find their names (they run the `__init__` first).
2. Building the protocol's serpyco-rs serializers (`airbyte_cdk.models`) reads every model class's
   attribute docs (`attributes_doc`: `inspect.getsource` and `ast.parse` of each class of the MRO,
   the standard library's `enum.py` for each enum) for the serializers' JSON schemas, which no sync
   reads; the protocol's model classes have no attribute docs, so the look-up finds nothing.
   `serializers_without_attribute_docs` makes it answer "no docs" while the CDK is imported: the
   same encoders and schemas. The look-up is serpyco-rs's own name in the two modules that call it;
   if a release moves it, this raises at import instead of silently costing the time again, and
   unit_tests/test_startup.py checks that the schemas stay the same.
3. Some classes are imported by name where a sync never uses them, and their modules import a lot.
   The CDK's concurrent read names seven classes of the declarative framework, only in `isinstance`
   checks (a stream built on the declarative partition generator and per-partition cursor has a
   partition router, which may have parent streams); importing them imports the framework (routers,
   requesters, Jinja, the manifest's pydantic models: ~200 modules). requests-cache names its
   DynamoDB backend in its table of backends, and its module imports boto3, botocore and pyOpenSSL
   (~160 modules) wherever boto3 is installed (the `pipeline` extra). `classes_imported_on_first_use`
   hands the importers a stand-in for each class: `isinstance` and `issubclass` against it are
   False while the class's module is not imported (no instance or subclass of the class exists
   yet) and the real class's answer once it is; a call or an attribute imports the module and uses
   the real class. The stand-in modules leave `sys.modules` at the end of the block, so a later
   import of them is the real one; a name that is not stood in for fails that import, loudly
   (requests-cache would catch it: a test checks that it holds the stand-ins).
benchmarks/RESULTS.md ("Start-up", "Round 7: start-up") has the figures.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

# serpyco-rs's modules that look up attribute docs, each under the name `get_attributes_doc`
SERPYCO_DOC_LOOKUPS = ("serpyco_rs._describe", "serpyco_rs._json_schema._convert")
_DOC_LOOKUP = "get_attributes_doc"

_DECLARATIVE = "airbyte_cdk.sources.declarative."
# module -> its classes that the concurrent read (concurrent_read_processor, default_stream) imports
# and uses in isinstance checks only; and requests-cache's backend that needs boto3
CLASSES_A_SYNC_NEVER_USES: Mapping[str, tuple[str, ...]] = {
    _DECLARATIVE + "partition_routers.cartesian_product_stream_slicer": ("CartesianProductStreamSlicer",),
    _DECLARATIVE + "partition_routers.grouping_partition_router": ("GroupingPartitionRouter",),
    _DECLARATIVE + "partition_routers.substream_partition_router": ("SubstreamPartitionRouter",),
    _DECLARATIVE + "partition_routers.union_partition_router": ("UnionPartitionRouter",),
    _DECLARATIVE + "partition_routers.partition_router": ("PartitionRouter",),
    _DECLARATIVE + "incremental.concurrent_partition_cursor": ("ConcurrentPerPartitionCursor",),
    _DECLARATIVE + "stream_slicers.declarative_partition_generator": ("StreamSlicerPartitionGenerator",),
    "requests_cache.backends.dynamodb": ("DynamoDbCache", "DynamoDbDict"),
}


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



_STAND_INS_LEAVING = threading.Lock()


class StandIn(type):
    """The type of a stand-in for a class whose module is not imported yet (see point 3 above)."""

    module_name: str

    def real_class(cls) -> type:
        """The class itself, its module imported if it was not (the import system makes concurrent
        first uses wait for one import). Within the block, its stand-in module makes way first."""
        with _STAND_INS_LEAVING:
            if isinstance(sys.modules.get(cls.module_name), _StandInModule):
                del sys.modules[cls.module_name]
        real: type = getattr(importlib.import_module(cls.module_name), cls.__name__)
        return real

    def _imported_class(cls) -> type | None:
        module = sys.modules.get(cls.module_name)
        if module is None or isinstance(module, _StandInModule):
            return None  # never imported: no instance or subclass of the class exists
        # a module still being imported by another thread: wait for it; by this one: its class may not exist yet
        real: type | None = getattr(importlib.import_module(cls.module_name), cls.__name__, None)
        return real

    def __instancecheck__(cls, instance: Any) -> bool:
        real = cls._imported_class()
        return real is not None and isinstance(instance, real)

    def __subclasscheck__(cls, subclass: type) -> bool:
        real = cls._imported_class()
        return real is not None and issubclass(subclass, real)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real_class()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real_class(), name)


def _refuse_subclassing(cls: type, /, **kwargs: Any) -> None:
    raise TypeError(f"{cls.__name__} subclasses a stand-in (startup.py): import its module for real")


class _StandInModule(types.ModuleType):
    """A module holding stand-ins only: importing any other name from it fails, with the reason."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system's look-ups (`__path__`...): absent, as in a plain module
            raise AttributeError(name)
        raise ImportError(f"{self.__name__}.{name}: startup.py stands in for some of this module's classes "
                          "only; a module whose other names are used must be imported for real (take it "
                          "out of CLASSES_A_SYNC_NEVER_USES)")


def _stand_in_module(name: str, class_names: tuple[str, ...]) -> _StandInModule:
    module = _StandInModule(name)
    for class_name in class_names:
        namespace = {"__module__": name, "__qualname__": class_name, "module_name": name,
                     "__init_subclass__": classmethod(_refuse_subclassing)}
        setattr(module, class_name, StandIn(class_name, (), namespace))
    return module


@contextmanager
def classes_imported_on_first_use(classes: Mapping[str, tuple[str, ...]]) -> Iterator[None]:
    """Within the block, importing one of `classes`' modules that is not imported yet gives a module
    of stand-ins for the classes named (see point 3 above); at the end the stand-in modules leave
    `sys.modules`, and the stand-ins stay with whoever imported them."""
    installed = {name: _stand_in_module(name, class_names)
                 for name, class_names in classes.items() if name not in sys.modules}
    sys.modules.update(installed)
    try:
        yield
    finally:
        for name, module in installed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
