"""Config parsing: normalisation, and errors that name the field."""

from __future__ import annotations

import pytest

from source_confluence.config import ConfigError, parse_config
from unit_tests.builders import CONFIG


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("example.atlassian.net", "https://example.atlassian.net"),
        ("https://example.atlassian.net/", "https://example.atlassian.net"),
        ("https://example.atlassian.net/wiki/spaces/ENG/overview", "https://example.atlassian.net"),
        ("  https://Example.atlassian.net  ", "https://example.atlassian.net"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_site_url_is_normalised(site_url, expected):
    assert parse_config({**CONFIG, "site_url": site_url}).site_url == expected


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"site_url": ""}, "site_url"),
        ({"site_url": "https://user:pw@example.atlassian.net"}, "site_url"),
        ({"site_url": "https://example.atlassian.net:99999"}, "site_url"),
        ({"credentials": None}, "credentials"),
        ({"credentials": {"auth_type": "kerberos"}}, "credentials.auth_type"),
        ({"start_date": "last tuesday"}, "start_date"),
        ({"start_date": 20240101}, "start_date"),
        ({"space_keys": "ENG"}, "space_keys"),
        ({"space_keys": ["EN G"]}, "space_keys"),
        ({"num_workers": 0}, "num_workers"),
        ({"num_workers": "4"}, "num_workers"),
        ({"page_size": 251}, "page_size"),
        ({"include_archived": "yes"}, "include_archived"),
        ({"page_tree_roots": ["abc"]}, "page_tree_roots"),
        ({"labels": ["two words"]}, "labels"),
        ({"content_types": ["wikis"]}, "content_types"),
        ({"content_types": []}, "content_types"),
        ({"deletion_check_interval_hours": -1}, "deletion_check_interval_hours"),
        ({"label_reconciliation_interval_hours": -1}, "label_reconciliation_interval_hours"),
        ({"label_reconciliation_interval_hours": "daily"}, "label_reconciliation_interval_hours"),
        ({"access_reconciliation_interval_hours": -1}, "access_reconciliation_interval_hours"),
        ({"access_reconciliation_interval_hours": 8761}, "access_reconciliation_interval_hours"),
        ({"max_rate_limit_wait_minutes": 0}, "max_rate_limit_wait_minutes"),
        ({"max_rate_limit_wait_minutes": 61}, "max_rate_limit_wait_minutes"),
    ],
)
def test_bad_values_name_the_field(override, field):
    with pytest.raises(ConfigError) as caught:
        parse_config({**CONFIG, **override})
    assert caught.value.field == field
    assert f"'{field}'" in caught.value.message
    assert caught.value.failure_type.value == "config_error"


def test_errors_never_repeat_the_token():
    with pytest.raises(ConfigError) as caught:
        parse_config({**CONFIG, "credentials": {"auth_type": "api_token", "email": "bad", "api_token": "s3cr3t-value"}})
    assert "s3cr3t-value" not in caught.value.message


def test_defaults():
    parsed = parse_config(CONFIG)
    assert parsed.page_size == 250 and parsed.include_bodies and not parsed.include_archived
    assert parsed.content_types == ("pages", "blog_posts", "comments", "attachments", "tasks")
    assert parsed.start_date is None and parsed.deletion_check_interval_hours == 24
    assert parsed.max_rate_limit_wait_minutes == 10
    assert parsed.label_reconciliation_interval_hours == 24
    assert parsed.access_reconciliation_interval_hours == 24
    assert parse_config({**CONFIG, "access_reconciliation_interval_hours": 0}).access_reconciliation_interval_hours == 0
    assert parse_config({**CONFIG, "start_date": "2024-01-01"}).start_date == "2024-01-01T00:00:00.000Z"


def test_port_zero_is_refused():
    with pytest.raises(ConfigError) as caught:
        parse_config({**CONFIG, "site_url": "https://example.atlassian.net:0"})
    assert caught.value.field == "site_url" and "port 0" in caught.value.message
