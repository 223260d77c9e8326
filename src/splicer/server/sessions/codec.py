"""How a session is laid out in the grid: keys, the readable metadata text, attribute values.

Keys follow the tutorial: metadata ``<id>/<contextRoot>`` in ``objectgridSessionMetadata``;
attribute ``DATA`` as ``<id>/<contextRoot>_DATA`` in ``objectgridSessionAttribute`` holding the
plain value, so ``findbykey`` shows ``test02`` exactly as xscmd did.  A non-fragmented session
keeps all attributes in one entry ``<id>/<contextRoot>`` of the attribute map, as a JSON object.

The metadata value is text in the form xscmd printed (``IBMHttpSessionData<id>[...]``), so
``findbykey -rv`` stays readable, and it is parsed back by this module.  Its fields:

- ``sessionHandle``: the attribute version, bumped by every write that changes an attribute;
  with ``updatedBy`` (the writing clone id) it tells a near-cached copy whether it is stale;
- ``attributesSize`` and ``attributeNames`` (percent-encoded, comma-separated);
- ``webApp`` (the context root), ``lastAccessTime`` and ``creationTime`` (epoch ms),
  ``maxInactiveInterval`` (seconds).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

METADATA_MAP = "objectgridSessionMetadata"
ATTRIBUTE_MAP = "objectgridSessionAttribute"

_METADATA_RE = re.compile(r"IBMHttpSessionData<(?P<id>[^>]*)>\[(?P<fields>.*)\]", re.DOTALL)


class MetadataFormatError(ValueError):
    """A metadata entry this emulator did not write; the session is treated as absent."""


def session_key(session_id: str, context_root: str) -> str:
    """``<id>/<contextRoot>`` with the context root's leading ``/`` dropped."""
    return f"{session_id}/{context_root.lstrip('/')}"


def attribute_key(session_id: str, context_root: str, name: str) -> str:
    return f"{session_key(session_id, context_root)}_{name}"


@dataclass(frozen=True)
class Metadata:
    session_id: str
    context_root: str
    version: int
    updated_by: str
    attribute_names: tuple[str, ...]
    creation_time: int
    last_access_time: int
    max_inactive_interval: int

    def expired(self, now_ms: int) -> bool:
        if self.max_inactive_interval <= 0:
            return False
        return now_ms - self.last_access_time > self.max_inactive_interval * 1000


def render_metadata(meta: Metadata) -> bytes:
    names = ",".join(quote(name, safe="") for name in meta.attribute_names)
    fields = [
        f"sessionHandle={meta.version}",
        f"attributesSize={len(meta.attribute_names)}",
        f"webApp={quote(meta.context_root, safe='/')}",
        f"lastAccessTime={meta.last_access_time}",
        f"creationTime={meta.creation_time}",
        f"maxInactiveInterval={meta.max_inactive_interval}",
        f"updatedBy={quote(meta.updated_by, safe='')}",
        f"attributeNames={names}",
    ]
    return f"IBMHttpSessionData<{meta.session_id}>[{', '.join(fields)}]".encode()


def parse_metadata(raw: bytes) -> Metadata:
    """Read back what render_metadata wrote; MetadataFormatError for anything else."""
    match = _METADATA_RE.fullmatch(raw.decode("utf-8", "replace"))
    if match is None:
        raise MetadataFormatError(f"not session metadata: {raw[:80]!r}")
    fields: dict[str, str] = {}
    for part in match.group("fields").split(", "):
        name, sep, value = part.partition("=")
        if not sep:
            raise MetadataFormatError(f"field without '=' in session metadata: {part!r}")
        fields[name] = value
    try:
        names = fields["attributeNames"]
        return Metadata(
            session_id=match.group("id"),
            context_root=unquote(fields["webApp"]),
            version=int(fields["sessionHandle"]),
            updated_by=unquote(fields["updatedBy"]),
            attribute_names=tuple(unquote(n) for n in names.split(",")) if names else (),
            creation_time=int(fields["creationTime"]),
            last_access_time=int(fields["lastAccessTime"]),
            max_inactive_interval=int(fields["maxInactiveInterval"]),
        )
    except (KeyError, ValueError) as exc:
        raise MetadataFormatError(f"bad session metadata field: {exc}") from None


def encode_value(value: str) -> bytes:
    return value.encode("utf-8")


def decode_value(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def encode_blob(attributes: dict[str, str]) -> bytes:
    return json.dumps(attributes, ensure_ascii=False, sort_keys=True).encode("utf-8")


def decode_blob(raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataFormatError(f"bad session attribute blob: {exc}") from None
    if not isinstance(data, dict):
        raise MetadataFormatError("session attribute blob is not an object")
    return {str(k): str(v) for k, v in data.items()}
