"""The attachment_text options: defaults, and errors that name the field."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType

from source_confluence.config import ConfigError, parse_config
from source_confluence.config.attachment_text import SUPPORTED_MEDIA_TYPES
from unit_tests.builders import CONFIG


def test_off_by_default():
    assert parse_config(CONFIG).attachment_text is None


def test_defaults_when_on():
    options = parse_config({**CONFIG, "attachment_text": True}).attachment_text
    assert options is not None
    assert options.max_bytes == 20 * 1024 * 1024
    assert options.media_types == frozenset(SUPPORTED_MEDIA_TYPES)


def test_chosen_types_and_cap():
    options = parse_config({**CONFIG, "attachment_text": True, "attachment_text_max_mb": 5,
                            "attachment_text_media_types": ["application/pdf", "text/plain"]}).attachment_text
    assert options is not None
    assert (options.max_bytes, options.media_types) == (5 * 1024 * 1024, {"application/pdf", "text/plain"})


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"attachment_text": "yes"}, "attachment_text"),
        ({"attachment_text_max_mb": 0}, "attachment_text_max_mb"),
        ({"attachment_text_max_mb": 201}, "attachment_text_max_mb"),
        ({"attachment_text_max_mb": "20"}, "attachment_text_max_mb"),
        ({"attachment_text_max_mb": True}, "attachment_text_max_mb"),
        ({"attachment_text_media_types": "application/pdf"}, "attachment_text_media_types"),
        ({"attachment_text_media_types": ["image/png"]}, "attachment_text_media_types"),
        ({"attachment_text_media_types": []}, "attachment_text_media_types"),
    ],
)
def test_bad_values_name_the_field(override, field):
    with pytest.raises(ConfigError) as caught:
        parse_config({**CONFIG, "attachment_text": True, **override})
    assert caught.value.field == field
    assert caught.value.failure_type == FailureType.config_error
    assert f"Config field '{field}'" in caught.value.message


def test_companions_are_checked_even_when_off():
    with pytest.raises(ConfigError) as caught:
        parse_config({**CONFIG, "attachment_text_max_mb": -1})
    assert caught.value.field == "attachment_text_max_mb"
