"""Every test runs the connector through its own entrypoint, exactly as the console script does."""

import airbyte_cdk.test.entrypoint_wrapper as entrypoint_wrapper

from source_confluence.entrypoint import ConfluenceEntrypoint

entrypoint_wrapper.AirbyteEntrypoint = ConfluenceEntrypoint
