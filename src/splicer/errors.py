"""One error root for the whole toolchain, with the place every message points at."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

# Exit codes, as the README documents them.
EXIT_OK = 0
EXIT_CHECK_FOUND_WORK = 1
EXIT_USAGE = 2
EXIT_UNSAFE = 3
EXIT_UNAVAILABLE = 69  # sysexits' EX_UNAVAILABLE: a service the command needs (a catalog) did not answer
EXIT_BUSY = 75  # sysexits' EX_TEMPFAIL: another run holds the file; trying again later will do
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell shows for Ctrl-C; SIGTERM ends the same way


class Where(NamedTuple):
    """A place: an archive, the entries nested inside it, and optionally a line.

    ``Where(("app.ear", "Web.war", "WEB-INF/web.xml"), 12)`` prints as
    ``app.ear!/Web.war!/WEB-INF/web.xml:12``, the form ``jar:`` URLs made familiar.
    """

    parts: tuple[str, ...] = ()
    line: int | None = None

    def child(self, name: str) -> Where:
        return Where(self.parts + (name,))

    def at(self, line: int | None) -> Where:
        return Where(self.parts, line)

    def __str__(self) -> str:
        text = "!/".join(self.parts)
        if self.line is not None:
            text = f"{text}:{self.line}"
        return text


class Diagnostic(NamedTuple):
    """A warning (or info) that does not stop the run: message id, text, place."""

    message_id: str
    text: str
    where: Where = Where()

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where.parts else ""
        return f"{self.message_id}: {place}{self.text}"

    def to_json(self) -> dict[str, object]:
        return {"id": self.message_id, "where": str(self.where), "message": self.text}


class SplicerError(Exception):
    """Root of every error splicer raises on purpose.

    Subclasses also inherit the fitting builtin, so callers that only know Python's
    exceptions still catch them sensibly.  The message is built from the fields, so tests
    assert the fields, not the prose.
    """

    exit_code: ClassVar[int] = EXIT_UNSAFE
    message_id: ClassVar[str] = "CWWSM0900E"

    def __init__(self, reason: str, where: Where | None = None, *, hint: str | None = None) -> None:
        self.reason = reason
        self.where = where or Where()
        self.hint = hint
        super().__init__(self.message())

    def message(self) -> str:
        place = f"{self.where}: " if self.where.parts else ""
        text = f"{self.message_id}: {place}{self.reason}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.message_id,
            "type": type(self).__name__,
            "where": str(self.where),
            "reason": self.reason,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class UsageError(SplicerError, ValueError):
    """Wrong command-line use: missing file, conflicting options."""

    exit_code = EXIT_USAGE
    message_id = "CWWSM0100E"


class ConfigError(SplicerError, ValueError):
    """A bad splicer.properties (or other configuration file): syntax, key or value."""

    exit_code = EXIT_USAGE
    message_id = "CWWSM0101E"

    def __init__(
        self,
        reason: str,
        where: Where | None = None,
        *,
        key: str | None = None,
        value: str | None = None,
        allowed: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(reason, where, hint=hint)

    def message(self) -> str:
        text = super().message()
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


class NoWebModuleError(UsageError):
    """An APP with no web module to splice (a library jar, an empty folder, a src/ tree)."""

    message_id = "CWWSM0102E"


class ArgumentOrderError(UsageError):
    """APP and PROPERTIES given the other way round, or an application given as PROPERTIES."""

    message_id = "CWWSM0103E"


class UnsafeInputError(SplicerError, ValueError):
    """The input cannot be spliced safely; nothing is written."""

    exit_code = EXIT_UNSAFE
    message_id = "CWWSM0300E"


class DescriptorError(UnsafeInputError):
    """A web.xml or application.xml that cannot be read or cannot take the filter."""

    message_id = "CWWSM0301E"


class HostileXmlError(DescriptorError):
    """An XML document that declares entities or a DTD subset: refused, never expanded."""

    message_id = "CWWSM0302E"


class SpliceConflictError(DescriptorError):
    """The descriptor already says something that contradicts the splice."""

    message_id = "CWWSM0303E"


class ArchiveError(UnsafeInputError):
    """A corrupt, truncated, encrypted, duplicate-entry or oversized archive."""

    message_id = "CWWSM0310E"


class SignedArchiveError(ArchiveError):
    """A signed module whose signature any change would break."""

    message_id = "CWWSM0311E"


class OutputError(SplicerError, OSError):
    """Writing the result failed; the input is untouched and no partial output is left."""

    exit_code = EXIT_UNSAFE
    message_id = "CWWSM0320E"


class BusyError(SplicerError, OSError):
    """Another run holds the lock of a file this one must write; nothing was written."""

    exit_code = EXIT_BUSY
    message_id = "CWWSM0321E"


class Interrupted(SplicerError):
    """SIGINT or SIGTERM ended the command, after its clean-up ran."""

    exit_code = EXIT_INTERRUPTED
    message_id = "CWWSM0399E"


class Stopped(Interrupted):
    """A server stopped cleanly on SIGINT or SIGTERM: its normal end, still exit 130."""

    message_id = "CWWSM0398I"
