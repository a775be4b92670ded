"""Airbyte packaging: metadata.yaml against Airbyte's schema, and the image's entrypoint run as the
same console script outside Docker (no Docker engine here)."""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _metadata_schema() -> dict:
    raw = json.loads(resources.files("airbyte_connector_models").joinpath(
        "metadata", "v0", "ConnectorMetadataDefinitionV0.json").read_text())

    # The bundled document nests sub-schemas with their own $id while its $refs point from the
    # root; dropping the nested ids lets every $ref resolve against the root as intended.
    def strip(node, root=False):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if root or k != "$id"}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node
    return strip(raw, root=True)


def _validator(schema: dict) -> jsonschema.Draft7Validator:
    # Formats checked too: the breaking change's upgradeDeadline is a `date`.
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_metadata_yaml_is_valid_connector_metadata():
    schema = _metadata_schema()
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    errors = sorted(_validator(schema).iter_errors(metadata), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert list(metadata["data"]["releases"]["breakingChanges"]) == [metadata["data"]["dockerImageTag"]] == ["2.0.0"]
    data = metadata["data"]
    assert data["connectorType"] == "source" and data["connectorSubtype"] == "api"
    assert {"language:python", "cdk:python"} <= set(data["tags"])
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{data["dockerImageTag"]}"' in pyproject


def test_metadata_schema_rejects_a_broken_document():
    schema = _metadata_schema()
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    metadata["data"]["connectorType"] = "sauce"
    del metadata["data"]["definitionId"]
    assert len(list(_validator(schema).iter_errors(metadata))) >= 2


def test_metadata_schema_rejects_a_malformed_breaking_change():
    schema = _metadata_schema()
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    change = metadata["data"]["releases"]["breakingChanges"]["2.0.0"]
    change["upgradeDeadline"] = "end of January"
    del change["message"]
    messages = sorted(e.message for e in _validator(schema).iter_errors(metadata))
    assert messages == ["'end of January' is not a 'date'", "'message' is a required property"]


def test_dockerfile_entrypoint_is_the_console_script_and_it_speaks_the_protocol():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]', dockerfile, re.M).group(1)
    assert re.search(r"^FROM \S+python-connector-base:[\d.]+@sha256:[0-9a-f]{64}$", dockerfile, re.M)
    script = shutil.which(entrypoint, path=str(Path(sys.executable).parent))
    assert script, f"console script {entrypoint} is not installed"
    result = subprocess.run([script, "spec"], capture_output=True, text=True, timeout=60, check=True)
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    specs = [m for m in messages if m["type"] == "SPEC"]
    assert len(specs) == 1
    properties = specs[0]["spec"]["connectionSpecification"]["properties"]
    assert {"site_url", "credentials", "start_date", "space_keys", "num_workers", "page_size"} <= set(properties)


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pip_builds_the_distribution_from_pyproject_as_contributors_install_it(tmp_path):
    """`pip install -e .` and pip URLs build with poetry-core from the PEP 621 metadata: one name, version,
    licence and both commands, the schemas and spec inside, and only the connector's package and the
    Confluence double (the demo's sample site)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, timeout=300, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = email.message_from_bytes(archive.read("source_confluence_plus-2.0.0.dist-info/METADATA"))
        scripts = archive.read("source_confluence_plus-2.0.0.dist-info/entry_points.txt").decode()
    data = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    assert (meta["Name"], meta["Version"], meta["License-Expression"]) == (
        data["remoteRegistries"]["pypi"]["packageName"], data["dockerImageTag"], data["license"])
    assert "source-confluence=source_confluence.run:run" in scripts.splitlines()
    assert "source-confluence-plus=source_confluence.run:run" in scripts.splitlines()
    assert {"source_confluence/spec.json", "source_confluence/schemas/pages.json"} <= set(names)
    assert {"confluence_double/__main__.py", "confluence_double/README.md"} <= set(names)
    assert "source_confluence_plus-2.0.0.dist-info/licenses/LICENSE" in names  # the licence's text travels with it
    assert {name.split("/")[0] for name in names} == {"source_confluence", "confluence_double",
                                                      "source_confluence_plus-2.0.0.dist-info"}
