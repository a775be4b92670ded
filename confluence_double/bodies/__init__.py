"""Deterministic storage-format and ADF bodies for generated content.

Bodies are never stored for generated objects: a page body is derived from (site seed, object
number, body revision) by picking blocks from a per-site pool of pre-rendered blocks, plus a few
parts that depend on live site state (task list, inline-comment markers, embedded images). That
keeps a 100,000-page site small in memory and makes every read of the same revision identical.
"""


from .blocks import (
    Block,
    DynamicParts,
    Mentionable,
    PageRef,
    adf_from_storage,
    adf_of,
    plain_text,
    storage_json_of,
    storage_of,
    xml_escape,
)
from .factory import BodyFactory
from .live_parts import decision_block, images_block, markers_block, task_list_block
from .vocabulary import WORDS

__all__ = [
    "WORDS",
    "Block",
    "BodyFactory",
    "DynamicParts",
    "Mentionable",
    "PageRef",
    "adf_from_storage",
    "adf_of",
    "decision_block",
    "images_block",
    "markers_block",
    "plain_text",
    "storage_json_of",
    "storage_of",
    "task_list_block",
    "xml_escape",
]
