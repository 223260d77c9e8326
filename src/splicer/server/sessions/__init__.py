"""Session managers: the grid-backed one of the WXS filter, and the server's local one."""

from splicer.server.sessions.model import Session, SessionManager
from splicer.server.sessions.local import LocalSessionManager

__all__ = ["LocalSessionManager", "Session", "SessionManager"]
