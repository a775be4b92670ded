"""The labels of changed Cloud content in bulk, over the double: one v1 search per 100 changed items
(api/cloud/label_search.py), a v2 label list only for an item whose embedded labels are cut or that
the index has not caught up with; the records are those the per-item v2 path emits."""

from __future__ import annotations

import math

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from confluence_double import ConfluenceDouble, SiteSpec
from integration_tests import openapi_contract as contract
from integration_tests.conftest import final_state, sync

pytestmark = pytest.mark.integration
SEARCH = "/wiki/rest/api/content/search"
STREAMS = ["pages", "blog_posts", "attachments", "content_labels"]
NEVER_DUE = {"label_reconciliation_interval_hours": 8760}
SITE = SiteSpec(spaces=2, pages=400, blog_posts=30, footer_comments=20, inline_comments=10, tasks=20,
                attachments=30, labels=40, users=8, seed=5, body_bytes=400)


def label_rows(output) -> dict[str, dict]:
    return {m.record.data["id"]: {k: v for k, v in m.record.data.items() if k != "updated_at"}
            for m in output.records if m.record.stream == "content_labels"}


def test_the_double_embeds_labels_and_versions_in_the_v1_search_by_the_contract(tiny_double: ConfluenceDouble):
    site = tiny_double.site
    labelled = next(pid for pid in sorted(site.pages) if len(site.labels_by_content.get(pid, [])) >= 1
                    and site.pages[pid].status == "current")
    site.add_label(labelled, "one-more")
    attachment = next(a for a in site.attachments.values() if a.status == "current")
    site.add_label(attachment.id, "attached")
    lagging = next(pid for pid in sorted(site.pages) if pid != labelled and site.pages[pid].status == "current")
    site.unindexed.add(lagging)
    site.embedded_label_limit = len(site.labels_of(labelled)) - 1
    ids = [labelled, attachment.id.removeprefix("att"), lagging]
    response = requests.get(tiny_double.url + SEARCH, auth=(tiny_double.email, tiny_double.api_token), timeout=10,
                            params={"cql": f"id in ({','.join(ids)})", "expand": "metadata.labels,version"})
    assert response.status_code == 200, response.text[:300]
    request = RequestsOpenAPIRequest(response.request)
    openapi = contract.openapi_v1_cloud(tiny_double.url)
    openapi.validate_request(request)
    openapi.validate_response(request, RequestsOpenAPIResponse(response))
    hits = {hit["id"]: hit for hit in response.json()["results"]}
    assert set(hits) == {labelled, attachment.id}  # the lagging page is not in the index yet
    page_labels = hits[labelled]["metadata"]["labels"]
    assert [lb["id"] for lb in page_labels["results"]] == [lb.id for lb in site.labels_of(labelled)][:-1]
    assert (page_labels["limit"], page_labels["size"]) == (site.embedded_label_limit, site.embedded_label_limit)
    assert page_labels["_links"]["next"].startswith(f"/rest/api/content/{labelled}/label?")
    assert hits[labelled]["version"]["number"] == site.pages[labelled].version.number
    assert hits[attachment.id]["type"] == "attachment"
    assert [(lb["id"], lb["name"]) for lb in hits[attachment.id]["metadata"]["labels"]["results"]] == [
        (lb.id, lb.name) for lb in site.labels_of(attachment.id)]


def test_changed_labels_cost_a_search_per_100_items_and_a_v2_list_per_cut_or_lagging_one():
    with ConfluenceDouble(SITE) as double:
        site = double.site
        first = sync(double, STREAMS, **NEVER_DUE)
        current = sorted((pid for pid, p in site.pages.items() if p.status == "current"), key=int)
        edited = current[:130]
        for page_id in edited:
            site.edit_page(page_id, title=f"Edited {page_id}")
        blog = next(b for b in sorted(site.blog_posts) if site.blog_posts[b].status == "current")
        site.edit_blog_post(blog, title="Edited blog post")
        site.add_label(blog, "blogged")
        attachment = site.add_attachment(edited[0], "notes.txt", "text/plain", 10)
        site.add_label(attachment.id, "attached")
        many = max(edited, key=lambda pid: len(site.labels_of(pid)))
        site.embedded_label_limit = len(site.labels_of(many)) + 1  # more than any other edited page holds
        site.add_label(many, "one-label-too-many")
        site.add_label(many, "two-labels-too-many")  # `many` alone is cut
        lagging = next(pid for pid in edited if pid != many and site.labels_of(pid))
        site.unindexed.add(lagging)
        state = final_state(first)

        double.reset_requests()
        bulk = sync(double, STREAMS, state, **NEVER_DUE)
        searches = [r.query for r in double.requests if r.path == SEARCH]
        alone = sorted(r.path for r in double.requests if r.path.endswith("/labels"))

        double.faults.add(status=403, count=None, path_prefix=SEARCH)  # the per-item v2 path, for comparison
        one_by_one = sync(double, STREAMS, state, **NEVER_DUE)

    # One search per 100 changed items of each type; a v2 list for the cut and the lagging page only.
    asked = sorted(len(q["cql"][0].split(",")) for q in searches)
    assert len(searches) == math.ceil(len(edited) / 100) + 2 and asked == [1, 1, 30, 100]
    assert not [r for r in double.requests if r.path.startswith("/wiki/api/v2/labels")]  # no round read
    assert all(q["expand"] == ["metadata.labels,version"] for q in searches)
    assert alone == sorted(f"/wiki/api/v2/pages/{pid}/labels" for pid in (many, lagging))
    rows = label_rows(bulk)
    truth = {f"{cid}:{lb.id}": (lb.name, lb.prefix) for cid in (*edited, blog, attachment.id)
             for lb in site.labels_of(cid)}
    assert {row_id: (row["label_name"], row["label_prefix"]) for row_id, row in rows.items()} == truth
    assert rows == label_rows(one_by_one)
    assert f"{many}:{site.label_by_name('two-labels-too-many').id}" in rows
