"""Every test runs the connector through its own entrypoint, exactly as the console script does."""

import airbyte_cdk.test.entrypoint_wrapper as entrypoint_wrapper

from source_confluence.entrypoint import ConfluenceEntrypoint

# Parametrizes the CDK standard suite with the scenarios of acceptance-test-config.yml.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

entrypoint_wrapper.AirbyteEntrypoint = ConfluenceEntrypoint
