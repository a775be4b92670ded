"""The benchmark's metered mode (benchmarks/metered.py) syncs as an OAuth app through the gateway:
every sync refreshes with the previous sync's rotated token, and the walks probe (values, never times)."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks import bench_sync, metered
from benchmarks.double_service import endpoint_key
from confluence_double import RequestRecord

SCALE = 0.002
RUNS = ("full", "no_change", "no_change_incremental", "changed")


def test_rotated_config_is_the_last_connector_config_message():
    def control(token: str) -> bytes:
        return json.dumps({"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG", "emitted_at": 1.0,
                           "connectorConfig": {"config": {"credentials": {"refresh_token": token}}}}},
                          separators=(",", ":")).encode()

    lines = [control("rt-1"), control("rt-2")]
    assert all(map(metered.is_control_line, lines))
    assert not metered.is_control_line(b'{"type":"LOG","log":{"level":"INFO","message":"CONTROL"}}')
    assert metered.rotated_config(lines) == {"credentials": {"refresh_token": "rt-2"}}
    assert metered.rotated_config([]) is None


def test_gateway_requests_count_as_the_site_requests_they_are():
    path = "/ex/confluence/5b1f2c3d-0a4e-4f60-8d7c-9e0a1b2c3d4e/wiki/api/v2/pages/42/labels"
    assert endpoint_key(RequestRecord("GET", path, {"limit": ["250"]}, 200)) == (
        "GET /wiki/api/v2/pages/{id}/labels ?limit")


def test_credentials_per_mode():
    info = {"url": "http://127.0.0.1:1",  # ignore-https-check: a local double
            "email": "e@x", "api_token": "t", "scoped_api_token": "s",
            "oauth": {"client_id": "c", "client_secret": "cs", "refresh_token": "r"}}
    assert metered.credentials(info, "api_token") == {"auth_type": "api_token", "email": "e@x", "api_token": "t"}
    assert metered.credentials(info, "scoped_api_token") == {"auth_type": "scoped_api_token", "email": "e@x",
                                                             "api_token": "s"}
    assert metered.credentials(info, "oauth2.0") == {"auth_type": "oauth2.0", "client_id": "c",
                                                     "client_secret": "cs", "refresh_token": "r"}
    assert metered.command("api_token", bench_sync.CONNECTOR, info) == [str(bench_sync.CONNECTOR)]
    assert metered.command("oauth2.0", bench_sync.CONNECTOR, info)[-2:] == ["benchmarks.metered", info["url"]]
    with pytest.raises(ValueError, match="unknown auth mode"):
        metered.credentials(info, "password")


def test_an_oauth_benchmark_rotates_its_token_and_probes(tmp_path_factory: pytest.TempPathFactory):
    out, work = tmp_path_factory.mktemp("results"), tmp_path_factory.mktemp("work")
    args = argparse.Namespace(seed=7, workers=None, env={}, catalog=bench_sync.CATALOG, runs=len(RUNS),
                              change_fraction=0.05, change_seed=1, profile=False, out=str(out), connector_cpus=None,
                              auth="oauth2.0")
    result = bench_sync.bench(SCALE, 0, args, work)
    runs = result["runs"]
    assert list(runs) == list(RUNS) and result["auth"] == "oauth2.0"
    # Each sync refreshed with the token the previous one was given (a reused one is refused).
    for run in runs.values():
        assert run["exit_code"] == 0 and not run["problems"] and run["auth"] == "oauth2.0"
    assert runs["full"]["records"]["comments"] == result["site_before"]["comments"]
    # Nothing changed: every walk is its probe, a few objects per request (not pages of 250).
    cost = runs["no_change"]["cost"]["streams"]
    assert cost["pages"]["requests"] == cost["blog_posts"]["requests"] == 20
    for stream in ("pages", "blog_posts", "comments", "attachments", "tasks"):
        assert cost[stream]["objects"] <= 3 * cost[stream]["requests"], (stream, cost[stream])
    assert runs["changed"]["records"]["comments"] == result["changes"]["applied"]["comments_added"]
    assert all("/ex/confluence/" not in endpoint for run in runs.values() for endpoint in run["requests"]["endpoints"])
