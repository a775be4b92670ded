"""The id-set encoding the deletion check keeps in state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_confluence.sync.idset import decode_ids, encode_ids


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=10**15).map(str)))
def test_numeric_ids_round_trip(ids):
    assert decode_ids(encode_ids(ids)) == ids


@settings(max_examples=100, deadline=None)
@given(st.sets(st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), min_size=1)))
def test_any_ids_round_trip(ids):
    assert decode_ids(encode_ids(ids)) == ids


def test_dense_ids_are_compact():
    ids = {str(n) for n in range(5_000_000, 5_100_000, 3)}
    assert len(encode_ids(ids)) < len(ids) // 10


@pytest.mark.parametrize("blob", ["n!!!", "x" + "AAAA", "nAAAA"])
def test_garbage_is_rejected(blob):
    with pytest.raises(ValueError):
        decode_ids(blob)
