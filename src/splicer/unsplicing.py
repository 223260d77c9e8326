"""The way back from a splice: the same plan, write and report, with the unsplice operation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from splicer.apppaths import check_paths
from splicer.locking import DEFAULT_WAIT
from splicer.plan import Plan, Unsplicing
from splicer.properties import load_properties
from splicer.report import SpliceReport
from splicer.splicing import Waiting, as_profile, plan_app, write_plan

if TYPE_CHECKING:
    from splicer.profiles import Profile


def plan_unsplice(
    app: Path,
    properties: Path | None = None,
    *,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    allow_empty: bool = False,
    profile: str | Profile | None = None,
) -> tuple[SpliceReport, Plan]:
    """Work out what unsplicing *app* removes, without writing.

    Without *properties*, the context-params of every documented splicer.properties key go,
    in the descriptors that have the session filter or listener; with it, those of its keys
    (checked as splice checks them), wherever they are.
    """
    app = Path(app)
    check_paths(app, None, Path(properties) if properties is not None else None)
    keys = None
    warnings = []
    chosen = None if profile is None else as_profile(profile)
    if properties is not None:
        settings = load_properties(Path(properties), allow_unknown=allow_unknown,
                                   keys=None if chosen is None else chosen.keys)
        keys = [param.name for param in settings.params]
        warnings = settings.warnings
    report, plan = plan_app(app, Unsplicing(keys, profile=chosen), command="unsplice", strip_signatures=strip_signatures,
                            allow_name_clashes=allow_name_clashes, allow_empty=allow_empty)
    report.properties = Path(properties) if properties is not None else None
    report.warnings[:0] = warnings
    return report, plan


def unsplice(
    app: Path,
    properties: Path | None = None,
    *,
    output: Path | None = None,
    dry_run: bool = False,
    allow_unknown: bool = False,
    strip_signatures: bool = False,
    allow_name_clashes: bool = False,
    allow_empty: bool = False,
    wait: float = DEFAULT_WAIT,
    waiting: Waiting | None = None,
    profile: str | Profile | None = None,
) -> SpliceReport:
    """Remove from every web module of *app* what splicing adds: the session filter, its
    mappings, its listener and the context-params of the documented keys (or of *properties*),
    each with the line it brought; a web.xml splicing created is deleted again.

    For a descriptor that had none of these, ``unsplice(splice(x))`` gives *x* back, byte for
    byte.  Written as ``splice`` writes: atomically, in place unless *output*, locked.
    """
    app = Path(app)
    output = Path(output) if output is not None else None
    check_paths(app, output, Path(properties) if properties is not None else None)
    return write_plan(app, output, dry_run=dry_run, wait=wait, waiting=waiting, planner=lambda: plan_unsplice(
        app, properties, allow_unknown=allow_unknown, strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes, allow_empty=allow_empty, profile=profile,
    ))
