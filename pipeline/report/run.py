"""What the page says about the run that produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.changes import StreamChange


@dataclass
class RunInfo:
    """What the page says about the run that produced it."""

    heading: str
    subtitle: str = ""
    site_url: str | None = None
    changes: list[StreamChange] = field(default_factory=list)
    records: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)
    """Changes made in Confluence since the previous run, when known (the demo scripts them)."""
