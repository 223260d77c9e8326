"""The main job: settings in, plan made, descriptors edited, archive rewritten (and unsplice's way back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from splicer.apppaths import check_paths
from splicer.errors import NoWebModuleError, SpliceConflictError, Where
from splicer.locking import DEFAULT_WAIT, Target, hold
from splicer.plan import Operation, Plan, Splicing, make_plan, plan_descriptor_file
from splicer.properties import load_properties
from splicer.report import SpliceReport

if TYPE_CHECKING:
    from splicer.profiles import Profile

Waiting = Callable[[Target, int | None], None]


def plan_app(app: Path, operation: Operation, *, command: str = "splice", strip_signatures: bool = False,
             allow_name_clashes: bool = False, allow_empty: bool = False) -> tuple[SpliceReport, Plan]:
    """Work out what *operation* does to every web module of *app* (an EAR or WAR, zipped or
    exploded, or a web.xml on its own), without writing.

    An application with no web module (a library jar, an empty folder, a src/ tree without
    WEB-INF/) is NoWebModuleError, unless *allow_empty*: then only warning CWWSM0503W.
    """
    from splicer.archives import open_app

    if check_paths(app, None) == "descriptor":
        plan = plan_descriptor_file(app, operation)
    else:
        with open_app(app) as reader:
            plan = make_plan(reader, operation, strip_signatures=strip_signatures,
                             allow_name_clashes=allow_name_clashes)
    if not plan.modules and not allow_empty:
        raise NoWebModuleError(
            f"the application has no web module to {command} (no WEB-INF/, no *.war listed or at the top)",
            Where((str(app),)),
            hint="name the WAR or EAR (or the web.xml), or pass --allow-empty to accept it",
        )
    report = SpliceReport(app=app, properties=None, output=None, modules=plan.modules,
                          warnings=list(plan.warnings), command=command)
    return report, plan


def write_plan(app: Path, output: Path | None, *, dry_run: bool, wait: float, waiting: Waiting | None,
               planner: Callable[[], tuple[SpliceReport, Plan]]) -> SpliceReport:
    """Lock, plan (by *planner*, so the plan reads what a run before this one wrote), write.

    In place (atomically) unless *output* is given; an application that needs no change is
    not rewritten at all (with *output*, it is copied as it is).  Unless *dry_run*, the app
    and the output are locked first (``splicer.locking``): a run that finds another writing
    them waits up to *wait* seconds (telling *waiting* once), then reads what that run
    wrote; BusyError if it is still busy.
    """
    from splicer.archives import reuse

    if dry_run:
        targets: list[Target] = []
    elif output is None:
        targets = [Target.of(app)]
    else:
        targets = [Target.of(app), Target.of(output, follow=False)]
    # One reading of the archive for the plan and the write (a changed WAR inflated once).
    with hold(targets, wait=wait, waiting=waiting), reuse():
        report, plan = planner()
        report.output = output
        report.dry_run = dry_run
        if dry_run:
            return report
        if plan.changed or output is not None:
            # The writing side is imported only now: nothing to write, nothing to import.
            from splicer.archives.writing import write_app, write_file

            if plan.bare:
                after = plan.modules[0].after
                assert after is not None  # a file given on its own is never deleted
                write_file(app, after, output)
            else:
                write_app(app, plan.changes, output)
            report.written = True
    return report


def plan_splice(
    app: Path,
    properties: Path,
    *,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    strict: bool = False,
    allow_empty: bool = False,
    profile: str | Profile | None = None,
) -> tuple[SpliceReport, Plan]:
    """Read the settings and the application, and work out every change without writing.

    *profile* is the session manager to splice: a shipped profile's name, a profile folder's
    path, or a loaded Profile (None: the default profile).

    *strict* refuses (SpliceConflictError) what would otherwise only be warned about: another
    session manager in a descriptor, a session mapping that did not reach every request.
    """
    check_paths(app, None, properties)
    chosen = None if profile is None else as_profile(profile)
    settings = load_properties(properties, allow_unknown=allow_unknown, keys=None if chosen is None else chosen.keys)
    params = [(param.name, param.value) for param in settings.params]
    report, plan = plan_app(app, Splicing(params, profile=chosen), strip_signatures=strip_signatures,
                            allow_name_clashes=allow_name_clashes, allow_empty=allow_empty)
    report.properties = properties
    report.warnings[:0] = settings.warnings
    if strict:
        _refuse_session_warnings(report)
    return report, plan


def as_profile(profile: str | Profile) -> Profile:
    """A loaded profile, by name or folder path (loaded only when asked for: splice's start-up)."""
    from splicer.profiles import Profile, resolve

    return profile if isinstance(profile, Profile) else resolve(profile)


def _refuse_session_warnings(report: SpliceReport) -> None:
    from splicer.webxml.sessioncheck import strict_refusals

    for warning in strict_refusals(report.all_warnings()):
        raise SpliceConflictError(
            f"--strict: {warning.text} ({warning.message_id})",
            warning.where,
            hint="resolve it in the descriptor, or splice without --strict to accept it with a warning",
        )


def splice(
    app: Path,
    properties: Path,
    *,
    output: Path | None = None,
    dry_run: bool = False,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    strict: bool = False,
    allow_empty: bool = False,
    wait: float = DEFAULT_WAIT,
    waiting: Waiting | None = None,
    profile: str | Profile | None = None,
) -> SpliceReport:
    """Splice every web module of *app* with the settings of *properties*.

    *app* is an EAR or WAR, zipped or exploded, or a web.xml on its own.  In place
    (atomically) unless *output* is given; see ``write_plan``.  Raises a SplicerError, with
    nothing written, when the input cannot be spliced safely.  *profile*: see plan_splice.
    """
    app = Path(app)
    output = Path(output) if output is not None else None
    check_paths(app, output, Path(properties))
    return write_plan(app, output, dry_run=dry_run, wait=wait, waiting=waiting, planner=lambda: plan_splice(
        app, Path(properties), allow_unknown=allow_unknown, strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes, strict=strict, allow_empty=allow_empty, profile=profile,
    ))
