"""The WAS session token (``0000<id>:<clone>[:<clone>...]``) and its clone-list rules.

The rules follow WAS's SessionAffinityManager (was-plugin.md §2.5): a new session gets
``:<self>``; a server that finds the requested session appends its own clone id when it is
missing; Set-Cookie is sent only when something changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from splicer.server.ids import is_session_id

CACHE_ID = "0000"
CLONE_SEPARATOR = ":"
URL_REWRITE_KEY = ";jsessionid="
# The path parameter ends at the next path segment (`/`) or another parameter (`;`).
_URL_ID_RE = re.compile(r";jsessionid=([^/;?#]*)", re.IGNORECASE)


@dataclass(frozen=True)
class SessionToken:
    """An incoming or outgoing token: cache id, session id and the clone list, in order."""

    cache_id: str
    session_id: str
    clones: tuple[str, ...]

    def render(self) -> str:
        clone_info = "".join(CLONE_SEPARATOR + clone for clone in self.clones)
        return f"{self.cache_id}{self.session_id}{clone_info}"


def parse_token(value: str) -> SessionToken | None:
    """Read ``<4-char cache id><id>[:clone...]``; None when it is not a usable token.

    A malformed id is dropped, not repaired: the request then behaves as one without a session.
    """
    value = value.strip().strip('"')
    if len(value) <= len(CACHE_ID):
        return None
    cache_id, rest = value[: len(CACHE_ID)], value[len(CACHE_ID) :]
    session_id, _, clone_info = rest.partition(CLONE_SEPARATOR)
    if not is_session_id(session_id):
        return None
    clones = tuple(c for c in clone_info.split(CLONE_SEPARATOR) if c) if clone_info else ()
    return SessionToken(cache_id, session_id, clones)


def split_url_session(path: str) -> tuple[str, str | None]:
    """Strip ``;jsessionid=...`` from a request path: (clean path, token text or None)."""
    match = _URL_ID_RE.search(path)
    if match is None:
        return path, None
    return path[: match.start()] + path[match.end() :], match.group(1)


@dataclass(frozen=True)
class AffinityDecision:
    """What to send back: the token (for URL encoding too) and whether Set-Cookie is due."""

    token: SessionToken
    set_cookie: bool


def decide(incoming: SessionToken | None, session_id: str, self_clone: str) -> AffinityDecision:
    """Apply the WAS clone-list rules for the session id this request ends up with.

    - no incoming id, or a different id (a new session): clone list becomes ``(self,)``;
    - same id, own clone missing: appended (default, not NoAffinitySwitchBack);
    - same id, own clone present anywhere: unchanged, so fail-back sends no Set-Cookie.
    The cache id is always ``0000`` here; an incoming different one counts as a change.
    """
    if incoming is None or incoming.session_id != session_id:
        return AffinityDecision(SessionToken(CACHE_ID, session_id, (self_clone,)), True)
    changed = incoming.cache_id != CACHE_ID
    clones = incoming.clones
    if self_clone not in clones:
        clones = clones + (self_clone,)
        changed = True
    return AffinityDecision(SessionToken(CACHE_ID, session_id, clones), changed)


def encode_url(url: str, token: SessionToken) -> str:
    """HttpServletResponse.encodeURL: insert ``;jsessionid=<token>`` before any ``?`` or ``#``."""
    cut = len(url)
    for mark in ("?", "#"):
        at = url.find(mark)
        if at != -1:
            cut = min(cut, at)
    base, _ = split_url_session(url[:cut])
    return f"{base}{URL_REWRITE_KEY}{token.render()}{url[cut:]}"
