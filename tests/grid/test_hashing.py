"""Java's String.hashCode and the partition of a key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from splicer.grid.hashing import java_string_hash, partition_of, routing_key


@pytest.mark.parametrize(("text", "expected"), [
    ("", 0),
    ("a", 97),
    ("hello", 99162322),
    ("Aa", 2112),
    ("BB", 2112),
    ("polygenelubricants", -2**31),  # Integer.MIN_VALUE
    ("\U0001F600", 0xD83D * 31 + 0xDE00),  # two UTF-16 code units, as Java counts them
], ids=["empty", "one-char", "hello", "collision-Aa", "collision-BB", "min-int", "non-bmp"])
def test_java_string_hash(text: str, expected: int) -> None:
    assert java_string_hash(text) == expected


@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))))
def test_hash_is_the_javadoc_polynomial(text: str) -> None:
    # the javadoc's closed form s[0]*31^(n-1) + ... + s[n-1], in 32-bit two's complement
    n = len(text)
    value = sum(ord(ch) * 31 ** (n - 1 - i) for i, ch in enumerate(text)) % 2**32
    assert java_string_hash(text) == (value - 2**32 if value >= 2**31 else value)


@pytest.mark.parametrize(("key", "expected"), [
    ("4WnQaKbKMCdHRuD5PWdsZJf/MySessionTestWeb", "4WnQaKbKMCdHRuD5PWdsZJf"),
    ("4WnQaKbKMCdHRuD5PWdsZJf/MySessionTestWeb_DATA", "4WnQaKbKMCdHRuD5PWdsZJf"),
    ("id/a/b", "id"),
    ("plain", "plain"),
    ("/leading", ""),
], ids=["metadata", "attribute", "several-slashes", "no-slash", "leading-slash"])
def test_routing_key_is_up_to_the_first_slash(key: str, expected: str) -> None:
    assert routing_key(key) == expected


def test_masking_keeps_min_int_in_range() -> None:
    # abs(Integer.MIN_VALUE) is still negative in Java; the mask makes it 0
    assert partition_of("polygenelubricants", 47) == 0


def test_every_entry_of_a_session_shares_a_partition() -> None:
    sid = "4WnQaKbKMCdHRuD5PWdsZJf"
    expected = (java_string_hash(sid) & 0x7FFFFFFF) % 47
    keys = [f"{sid}/MySessionTestWeb", f"{sid}/MySessionTestWeb_DATA", f"{sid}/Other_x", sid]
    assert {partition_of(k, 47) for k in keys} == {expected}
