"""Session ids as WAS makes them: 23 characters of ``A-Za-z0-9_-`` from a secure source."""

from __future__ import annotations

import re
import secrets

# WAS (Liberty IDGeneratorImpl.sBitChars) maps every 6 random bits to this alphabet.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
ID_LENGTH = 23
_ID_RE = re.compile(rf"[A-Za-z0-9_-]{{{ID_LENGTH}}}")


def new_session_id() -> str:
    """A fresh session id: 23 characters, 6 random bits each (138 bits in all)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def is_session_id(text: str) -> bool:
    """True for a well-formed id; anything else sent by a client is treated as no id at all,
    so a forged value (too long, odd characters) can never become a session key."""
    return _ID_RE.fullmatch(text) is not None
