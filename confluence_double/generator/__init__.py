"""Deterministic generation of a Site from a SiteSpec.

Everything comes from one ``random.Random(seed)`` consumed in a fixed order, and no output
depends on string hashing or set order, so the same spec always yields the same site. Content
ids (spaces, pages, blog posts, comments, attachments) share one increasing sequence assigned
in creation-time order, as Confluence's do; tasks and labels have their own sequences.
"""

from __future__ import annotations

import gc

from ..model import Site, SiteSpec
from .access import add_access
from .builder import SiteBuilder

__all__ = ["SiteBuilder", "build_site"]


def build_site(spec: SiteSpec) -> Site:
    # Generation allocates hundreds of thousands of long-lived objects and no cycles worth
    # collecting; pausing the cyclic GC meanwhile cuts generation time by about a third.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        site = SiteBuilder(spec).build()
        add_access(site)  # folders and restrictions, with their own random sequence
        return site
    finally:
        if was_enabled:
            gc.enable()

