"""`splicer migrate`: one profile's elements out and another's in, in one atomic rewrite.

Each descriptor is unspliced with the source profile (its filter, mappings, listeners and
documented context-params) and the result spliced with the target profile, in memory; the
plan, the write and the report are splice's, so the options, the atomicity and the exit codes
are too.  A descriptor that would still declare another session manager afterwards (one the
source profile does not describe) is refused: two managers would wrap the same requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from splicer.apppaths import check_paths
from splicer.errors import ConfigError, Diagnostic, SpliceConflictError, Where
from splicer.locking import DEFAULT_WAIT
from splicer.plan import Edited, Plan, Splicing
from splicer.profiles import Profile, resolve
from splicer.properties import load_properties
from splicer.report import SpliceReport
from splicer.splicing import Waiting, plan_app, write_plan
from splicer.webxml.sessioncheck import OTHER_MANAGER_WARNING


@dataclass(frozen=True)
class Migrating:
    """Unsplice *source*, then splice *target* with *params*, per descriptor."""

    source: Profile
    target: Profile
    params: list[tuple[str, str]]
    verb: str = "migrated"

    def __call__(self, before: bytes | None, where: Where, deletable: bool) -> Edited:
        from splicer.webxml.unsplice import unsplice_webxml

        splicing = Splicing(self.params, profile=self.target)
        if before is None:
            return splicing(before, where, deletable)
        out = unsplice_webxml(before, None, where, self.source)
        edited = splicing(out.output, where, deletable)
        others = [w for w in edited.warnings if w.message_id == OTHER_MANAGER_WARNING]
        if others:
            raise SpliceConflictError(
                f"after migrating from {self.source.name} to {self.target.name} the descriptor would "
                f"have two session managers: {others[0].text}",
                others[0].where,
                hint="remove the other session manager first, or migrate from the profile that describes it",
            )
        warnings: list[Diagnostic] = [*out.warnings, *edited.warnings]
        if edited.after == before:
            return Edited(before, edited.version, edited.jakarta, self.params, [], warnings)
        actions = [*out.actions, *edited.actions]
        return Edited(edited.after, edited.version, edited.jakarta, self.params, actions, warnings)


def plan_migrate(
    app: Path,
    source: str | Profile,
    target: str | Profile,
    properties: Path,
    *,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    allow_empty: bool = False,
) -> tuple[SpliceReport, Plan]:
    """Work out the migration of every web module of *app*, without writing."""
    check_paths(app, None, properties)
    old = source if isinstance(source, Profile) else resolve(source)
    new = target if isinstance(target, Profile) else resolve(target)
    if old.name == new.name:
        raise ConfigError(f"--from and --to are both {old.name}", hint="splice re-applies one profile's settings")
    settings = load_properties(properties, allow_unknown=allow_unknown, keys=new.keys)
    operation = Migrating(old, new, settings.pairs())
    report, plan = plan_app(app, operation, command="migrate", strip_signatures=strip_signatures,
                            allow_name_clashes=allow_name_clashes, allow_empty=allow_empty)
    report.properties = properties
    report.warnings[:0] = settings.warnings
    return report, plan


def migrate(
    app: Path,
    source: str | Profile,
    target: str | Profile,
    properties: Path,
    *,
    output: Path | None = None,
    dry_run: bool = False,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    allow_empty: bool = False,
    wait: float = DEFAULT_WAIT,
    waiting: Waiting | None = None,
) -> SpliceReport:
    """Replace *source*'s session manager with *target*'s in every web module of *app*:
    written as ``splice`` writes (atomically, in place unless *output*, locked)."""
    app, properties = Path(app), Path(properties)
    output = Path(output) if output is not None else None
    check_paths(app, output, properties)
    return write_plan(app, output, dry_run=dry_run, wait=wait, waiting=waiting, planner=lambda: plan_migrate(
        app, source, target, properties, allow_unknown=allow_unknown, strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes, allow_empty=allow_empty,
    ))
