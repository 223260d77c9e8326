"""The session probe page: the tutorial's SessionTest.jsp, rendered from a jinja2 template."""

from __future__ import annotations

import functools
import socket
import time
from dataclasses import dataclass
from importlib import resources

import jinja2

from splicer.server.sessions.model import Session

TEMPLATE = "session_probe.html.j2"
DATA_ATTRIBUTE = "DATA"


@dataclass(frozen=True)
class ServerIdentity:
    """Who answers: the server name, its clone id, and the cell and node it belongs to."""

    name: str
    clone_id: str
    cell: str
    node: str

    @classmethod
    def for_host(cls, name: str, clone_id: str, cell: str | None = None, node: str | None = None) -> ServerIdentity:
        """Default cell and node names as a WAS profile on this machine would get them
        (`<host>Node01Cell`, `<host>Node01`)."""
        host = socket.gethostname().split(".")[0] or "localhost"
        node = node or f"{host}Node01"
        return cls(name, clone_id, cell or f"{node}Cell", node)

    @property
    def full_name(self) -> str:
        """ServerName.getFullName(): `<cell>\\<node>\\<server>`, as the tutorial's page shows."""
        return f"{self.cell}\\{self.node}\\{self.name}"


def java_date(epoch_ms: int) -> str:
    """java.util.Date.toString() in local time: ``Wed Jul 31 13:00:09 KST 2013``."""
    return time.strftime("%a %b %d %H:%M:%S %Z %Y", time.localtime(epoch_ms / 1000))


@functools.cache
def _template() -> jinja2.Template:
    # Found through importlib.resources so that an installed wheel works, not only a checkout.
    text = resources.files("splicer.templates").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def render_probe(session: Session, identity: ServerIdentity, form_action: str) -> str:
    return _template().render(
        session_id=session.id,
        creation_ms=session.creation_time,
        creation_date=java_date(session.creation_time),
        last_access_ms=session.previous_access_time,
        last_access_date=java_date(session.previous_access_time),
        server_name=identity.full_name,
        data=session.get_attribute(DATA_ATTRIBUTE),
        form_action=form_action,
    )
