"""Canonical JSON: one text per value, so that a hash of it means one thing."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.custody.canonical import canonical_json, sha256_hex

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_json_values)
def test_canonical_text_is_a_fixed_point(value: object) -> None:
    text = canonical_json(value)
    assert canonical_json(json.loads(text)) == text


def test_key_order_and_white_space_do_not_matter() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


def test_non_ascii_is_kept_as_utf8() -> None:
    assert canonical_json({"name": "台本"}) == '{"name":"台本"}'
    assert sha256_hex("台本") == hashlib.sha256(b"\xe5\x8f\xb0\xe6\x9c\xac").hexdigest()


@pytest.mark.parametrize("value", [1.5, {"a": [0.1]}, {1: "x"}])
def test_floats_and_non_string_keys_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)
