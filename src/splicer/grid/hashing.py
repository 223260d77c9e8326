"""Java's String.hashCode and the partition of a key, as the grid routes it."""

from __future__ import annotations


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` of Java: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units.

    Hand-written because no library computes it; the result is a signed 32-bit int, as Java's.
    Characters outside the BMP count as their two surrogates, exactly as in Java.
    """
    h = 0
    units = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(units), 2):
        h = (31 * h + (units[i] << 8 | units[i + 1])) & 0xFFFFFFFF
    return h - 0x1_0000_0000 if h & 0x8000_0000 else h


def routing_key(key: str) -> str:
    """The part of a key that picks the partition: up to its first ``/`` (the session id)."""
    return key.split("/", 1)[0]


def partition_of(key: str, partitions: int) -> int:
    """``(javaStringHashCode(k) & 0x7fffffff) % partitions`` with ``k`` the routing key.

    Masking the sign bit (rather than ``abs``) keeps Integer.MIN_VALUE in range too.
    """
    return (java_string_hash(routing_key(key)) & 0x7FFFFFFF) % partitions
