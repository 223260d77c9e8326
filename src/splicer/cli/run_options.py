"""The options splice, unsplice and migrate share, as one object from command line to engine; no click.

Both the click commands (``click_options.run_options`` collects their values) and the
click-free start-up path of `splice` (``fast``) build a ``RunOptions``; the runners hand
its ``engine()`` keywords to splicing, unsplicing and migrating.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from splicer.cli.boundary import echo
from splicer.errors import UsageError
from splicer.locking import DEFAULT_WAIT

if TYPE_CHECKING:
    from splicer.locking import Target

__all__ = ["DEFAULT_WAIT", "EngineOptions", "RunOptions"]


class EngineOptions(TypedDict):
    """The keywords that ``splicing.splice``, ``unsplicing.unsplice`` and ``migrating.migrate`` all take."""

    output: Path | None
    dry_run: bool
    allow_unknown: bool
    strip_signatures: bool
    allow_name_clashes: bool
    allow_empty: bool
    wait: float
    waiting: Callable[[Target, int | None], None]


class RunOptions(NamedTuple):
    """The options of splice, unsplice and migrate as given; one a command lacks keeps its default
    (unsplice and migrate have no --strict, migrate no --profile).  A NamedTuple, not a dataclass:
    `splice` imports neither dataclasses nor inspect (start-up, issue 10)."""

    output: Path | None = None
    dry_run: bool = False
    show_diff: bool = False
    check: bool = False
    as_json: bool = False
    quiet: bool = False
    verbose: bool = False
    allow_unknown: bool = False
    strip_signatures: bool = False
    allow_name_clashes: bool = False
    allow_empty: bool = False
    strict: bool = False
    wait: float = DEFAULT_WAIT
    profile: str | None = None

    def engine(self) -> EngineOptions:
        """The engine's keywords for these options, once they are known not to contradict each
        other (UsageError): so no runner can call the engine without that check."""
        if self.quiet and self.verbose:
            raise UsageError("-q and -v contradict each other")
        for flag, given in (("--check", self.check), ("--diff", self.show_diff)):
            if given and self.output is not None:
                raise UsageError(f"{flag} writes nothing, so -o makes no sense with it",
                                 hint="leave out -o, or run once more without the flag to write")
        return EngineOptions(
            output=self.output,
            # --diff, like black's and ruff's, only shows: a CI step that looks must not change the artifact.
            dry_run=self.dry_run or self.check or self.show_diff,
            allow_unknown=self.allow_unknown,
            strip_signatures=self.strip_signatures,
            allow_name_clashes=self.allow_name_clashes,
            allow_empty=self.allow_empty,
            wait=self.wait,
            waiting=self._waiting,
        )

    def _waiting(self, target: Target, holder: int | None) -> None:
        """The notice (unless -q) when another process holds the lock of APP or OUT, once a target."""
        if not self.quiet:
            who = f"pid {holder}" if holder is not None else "another process"
            echo(f"CWWSM0034I: {target.path} is being spliced by {who}; waiting up to {self.wait:g} s.", err=True)
