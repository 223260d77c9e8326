"""The main job: settings in, plan made, descriptors edited, archive rewritten."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from splicer.errors import SpliceConflictError, UsageError, Where
from splicer.locking import DEFAULT_WAIT, Target, hold
from splicer.plan import Plan, make_plan
from splicer.properties import load_properties
from splicer.report import SpliceReport


def _check_paths(app: Path, output: Path | None, properties: Path | None = None) -> None:
    if not app.exists():
        raise UsageError("the application does not exist", Where((str(app),)))
    if not (app.is_file() or app.is_dir()):
        raise UsageError("the application is neither a file nor a directory", Where((str(app),)))
    if output is not None:
        if output.exists() and os.path.samefile(output, app):
            raise UsageError(
                "-o names the input itself", Where((str(output),)), hint="leave out -o to rewrite in place"
            )
        if properties is not None and output.exists() and properties.exists() and os.path.samefile(output, properties):
            # A typo here would overwrite the settings with an archive.
            raise UsageError("-o names the properties file", Where((str(output),)))
        if not output.parent.is_dir():
            raise UsageError("the output's folder does not exist", Where((str(output),)))
        if app.is_dir() and Path(os.path.realpath(output)).is_relative_to(os.path.realpath(app)):
            # The copy of the tree would contain the copy being made, without end.
            raise UsageError("-o lies inside the application directory", Where((str(output),)),
                             hint="write the output beside the application")
        if app.is_dir() != output.is_dir() and output.exists():
            raise UsageError("the output exists and is not of the input's kind", Where((str(output),)))


def plan_splice(
    app: Path,
    properties: Path,
    *,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    strict: bool = False,
) -> tuple[SpliceReport, Plan]:
    """Read the settings and the application, and work out every change without writing.

    *strict* refuses (SpliceConflictError) what would otherwise only be warned about: another
    session manager in a descriptor, a session mapping that did not reach every request.
    """
    from splicer.archives import open_app

    _check_paths(app, None)
    settings = load_properties(properties, allow_unknown=allow_unknown)
    params = [(param.name, param.value) for param in settings.params]
    with open_app(app) as reader:
        plan = make_plan(reader, params, strip_signatures=strip_signatures, allow_name_clashes=allow_name_clashes)
    report = SpliceReport(
        app=app,
        properties=properties,
        output=None,
        modules=plan.modules,
        warnings=list(settings.warnings) + plan.warnings,
    )
    if strict:
        _refuse_session_warnings(report)
    return report, plan


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
    wait: float = DEFAULT_WAIT,
    waiting: Callable[[Target, int | None], None] | None = None,
) -> SpliceReport:
    """Splice every web module of *app* with the settings of *properties*.

    In place (atomically) unless *output* is given; an application that needs no change is
    not rewritten at all (with *output*, it is copied as it is).  Raises a SplicerError, with
    nothing written, when the input cannot be spliced safely.

    Unless *dry_run*, the app and the output are locked first (``splicer.locking``): a run
    that finds another splicing them waits up to *wait* seconds (telling *waiting* once),
    then reads what that run wrote; BusyError if it is still busy.
    """
    from splicer.archives import write_app

    app = Path(app)
    output = Path(output) if output is not None else None
    _check_paths(app, output, Path(properties))
    if dry_run:
        targets: list[Target] = []
    elif output is None:
        targets = [Target.of(app)]
    else:
        targets = [Target.of(app), Target.of(output, follow=False)]
    with hold(targets, wait=wait, waiting=waiting):
        report, plan = plan_splice(
            app, Path(properties), allow_unknown=allow_unknown, strip_signatures=strip_signatures,
            allow_name_clashes=allow_name_clashes, strict=strict,
        )
        report.output = output
        report.dry_run = dry_run
        if dry_run:
            return report
        if plan.changed or output is not None:
            write_app(app, plan.changes, output)
            report.written = True
    return report
