"""What a first `content_labels` sync (every label's round) costs, as docs/integrations/sources/confluence.md
states it; later syncs read only the rounds due and the labels of changed content (test_label_rounds.py)."""

from __future__ import annotations

import math
import re

import pytest

from confluence_double import ConfluenceDouble
from integration_tests.conftest import sync

pytestmark = pytest.mark.integration


def test_a_label_sync_costs_the_lists_plus_the_containers_of_labelled_attachments(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    labels = len(site.labels)
    # The first sync: no state, so every round is due.
    sync(tiny_double, ["content_labels"])
    counts: dict[str, int] = {}
    for request in tiny_double.requests:
        path = re.sub(r"/\d+(?=/|$)", "/{id}", request.path.split("?")[0])
        counts[path] = counts.get(path, 0) + 1
    # L/250 + 3 per label (+ pages of long lists; none here) + 1 per space, plus the space list.
    assert counts.pop("/wiki/api/v2/labels") == math.ceil(labels / 250)
    for kind in ("pages", "blogposts", "attachments"):
        assert counts.pop(f"/wiki/api/v2/labels/{{id}}/{kind}") == labels
    assert counts.pop("/wiki/api/v2/spaces/{id}/labels") == len(site.spaces)
    assert counts.pop("/wiki/api/v2/spaces") == 1
    # Container look-ups: the pages and blog posts holding labelled attachments, by type, for each
    # page of a label's attachment list that names containers not looked up yet in the sync.
    carrying = [lid for lid, items in site.content_by_label.items() if any(i in site.attachments for i in items)]
    lookups = counts.pop("/wiki/api/v2/pages", 0) + counts.pop("/wiki/api/v2/blogposts", 0)
    assert 0 < lookups <= 2 * len(carrying)
    assert counts == {}
