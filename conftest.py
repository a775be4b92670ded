"""Every test runs the connector through its own entrypoint, exactly as the console script does."""

import logging

import airbyte_cdk.test.entrypoint_wrapper as entrypoint_wrapper
import pytest

from source_confluence.entrypoint import ConfluenceEntrypoint

# Parametrizes the CDK standard suite with the scenarios of acceptance-test-config.yml.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

entrypoint_wrapper.AirbyteEntrypoint = ConfluenceEntrypoint


@pytest.fixture(autouse=True)
def _airbyte_logs_reach_the_root() -> None:
    """PyAirbyte's file logger (set up once per process by the pipeline tests) stops the `airbyte`
    logger from propagating; the CDK's test entrypoint reads the connector's logs from the root
    logger, so a test running after them would see no log lines. Every test starts propagating."""
    logging.getLogger("airbyte").propagate = True
