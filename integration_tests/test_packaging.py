"""Airbyte packaging: metadata.yaml against Airbyte's schema, and the image's entrypoint run as the
same console script outside Docker (no Docker engine here)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
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


def test_metadata_yaml_is_valid_connector_metadata():
    schema = _metadata_schema()
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(metadata), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
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
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(metadata))) >= 2


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
