"""The body_text benchmark's harness works (speed is never asserted)."""

from __future__ import annotations

import random

from benchmarks.bench_body_text import ACCOUNT_IDS, make_body, time_bodies, time_pages


def test_every_body_gets_a_time_single_and_in_pages():
    rng = random.Random(1)
    bodies = [make_body(rng, 500) for _ in range(7)]
    names = {ACCOUNT_IDS[0]: "Ada"}
    assert len(time_bodies(bodies, names)) == 7
    pages = time_pages(bodies, names, page_size=3)
    assert len(pages) == 7
    assert pages[0] == pages[2] != pages[3]  # a page's bodies share its mean
    assert all(t > 0 for t in pages)
