"""Console entry point: `source-confluence spec|check|discover|read ...`."""

from __future__ import annotations

import sys

from source_confluence.entrypoint import launch
from source_confluence.source import SourceConfluence


def run() -> None:
    launch(SourceConfluence(), sys.argv[1:])


if __name__ == "__main__":
    run()
