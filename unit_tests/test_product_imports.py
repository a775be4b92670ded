"""Product code never imports the test packages: the connector, the pipeline, the benchmarks, the
scripts and the Confluence double run without integration_tests/ and unit_tests/ (the double is a
product part: the demo and the benchmarks serve it). The double also stands alone: it is a fake
Confluence, so it must not borrow the connector's code."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("source_confluence", "pipeline", "benchmarks", "scripts", "confluence_double")
TEST_PACKAGES = {"integration_tests", "unit_tests"}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of the absolute imports in one file (relative imports stay inside their package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def offending_imports(root: Path, folders: tuple[str, ...], forbidden: set[str]) -> list[str]:
    return sorted(f"{path.relative_to(root)} imports {name}"
                  for folder in folders for path in sorted((root / folder).rglob("*.py"))
                  for name in imported_packages(path) & forbidden)


def test_the_check_sees_imports_inside_functions_and_from_submodules(tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "demo.py").write_text(
        "import json\nfrom . import cli\n\n\ndef run():\n    from integration_tests.site_truth import expected_ids\n")
    (tmp_path / "pipeline" / "cli.py").write_text("import unit_tests.airbyte_qa as qa\n")
    assert offending_imports(tmp_path, ("pipeline",), TEST_PACKAGES) == [
        "pipeline/cli.py imports unit_tests", "pipeline/demo.py imports integration_tests"]


@pytest.mark.parametrize("folder", PRODUCT)
def test_product_code_does_not_import_the_tests(folder):
    assert offending_imports(ROOT, (folder,), TEST_PACKAGES) == []


def test_the_confluence_double_does_not_import_the_connector_or_the_tests():
    assert offending_imports(ROOT, ("confluence_double",), TEST_PACKAGES | {"source_confluence", "pipeline"}) == []
