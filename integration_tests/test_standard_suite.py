"""The CDK's standard connector test suite, driven by acceptance-test-config.yml, against the double.

The suite's Docker tests build the connector image and run it; they need a Docker engine (and the
network to pull the base image). Where `docker info` cannot reach an engine they are skipped with
that reason; the Dockerfile is then checked by hadolint and its entrypoint by
`test_packaging.py`, which runs the same console script outside Docker.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

from confluence_double import ConfluenceDouble, SiteSpec
from source_confluence import SourceConfluence

GENERATED_CONFIG = Path(__file__).parent / "generated" / "config.json"


def _docker_engine_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=15, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


NEEDS_DOCKER_ENGINE = pytest.mark.skipif(
    not _docker_engine_available(), reason="no Docker engine on this machine (docker info fails)"
)


@pytest.fixture(scope="module", autouse=True)
def confluence_double_config():
    spec = SiteSpec(spaces=2, pages=80, blog_posts=12, footer_comments=40, inline_comments=12, tasks=30,
                    attachments=15, labels=8, users=6, seed=3, body_bytes=600, folders=2, restricted=4)
    with ConfluenceDouble(spec) as double:
        GENERATED_CONFIG.parent.mkdir(exist_ok=True)
        GENERATED_CONFIG.write_text(json.dumps(double.config()))
        yield
    GENERATED_CONFIG.unlink(missing_ok=True)


class TestSourceConfluenceStandardSuite(SourceTestSuiteBase):
    connector = SourceConfluence

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_build_and_spec(self, connector_image_override, connector_base_image_override):
        super().test_docker_image_build_and_spec(connector_image_override, connector_base_image_override)

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_spec_backward_compatibility(self, connector_image_override, connector_base_image_override):
        super().test_docker_image_spec_backward_compatibility(connector_image_override, connector_base_image_override)

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_build_and_check(self, scenario, connector_image_override, connector_base_image_override):
        super().test_docker_image_build_and_check(scenario, connector_image_override, connector_base_image_override)

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_build_and_config_matches_spec(self, scenario, connector_image_override,
                                                        connector_base_image_override):
        super().test_docker_image_build_and_config_matches_spec(
            scenario, connector_image_override, connector_base_image_override)

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_build_and_discover(self, scenario, connector_image_override, connector_base_image_override):
        super().test_docker_image_build_and_discover(scenario, connector_image_override, connector_base_image_override)

    @NEEDS_DOCKER_ENGINE
    def test_docker_image_build_and_read(self, scenario, connector_image_override, connector_base_image_override,
                                         read_from_streams, read_scenarios):
        super().test_docker_image_build_and_read(
            scenario, connector_image_override, connector_base_image_override, read_from_streams, read_scenarios)
