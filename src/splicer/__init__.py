"""splicer: splice WebSphere eXtreme Scale session filters into Java web archives.

The public API: `splice()` does the job, `plan_splice()` works it out without writing,
`SpliceReport` says what happened; `unsplice()` (and `plan_unsplice()`) takes it out again;
`migrate()` (and `plan_migrate()`) swaps one session-manager `Profile` for another;
`validate()` checks descriptors and applications
(`ValidationReport` of `Finding`s), `inspect()` describes an application's web modules
(`InspectReport`); every deliberate failure is a `SplicerError`.
"""

from __future__ import annotations

import importlib

# Not even typing is imported here: the command line's entry points live below this package
# and install their signal handlers only once it is imported, so every millisecond spent
# here is a window in which Ctrl-C gives a traceback (mypy reads TYPE_CHECKING all the same).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from splicer.errors import Diagnostic, SplicerError, Where
    from splicer.findings import Finding, ValidationReport
    from splicer.inspecting import InspectReport, ModuleInspection, inspect
    from splicer.report import ModuleReport, SpliceReport
    from splicer.splicing import plan_splice, splice
    from splicer.unsplicing import plan_unsplice, unsplice
    from splicer.migrating import migrate, plan_migrate
    from splicer.profiles import Profile
    from splicer.validating import validate

# Imported on first use: the emulator's processes import splicer.grid or splicer.server
# without paying for the splice engine, and the other way round.
_LAZY = {
    "Diagnostic": "splicer.errors",
    "SplicerError": "splicer.errors",
    "Where": "splicer.errors",
    "ModuleReport": "splicer.report",
    "SpliceReport": "splicer.report",
    "plan_splice": "splicer.splicing",
    "splice": "splicer.splicing",
    "plan_unsplice": "splicer.unsplicing",
    "unsplice": "splicer.unsplicing",
    "plan_migrate": "splicer.migrating",
    "migrate": "splicer.migrating",
    "Profile": "splicer.profiles",
    "Finding": "splicer.findings",
    "ValidationReport": "splicer.findings",
    "validate": "splicer.validating",
    "InspectReport": "splicer.inspecting",
    "ModuleInspection": "splicer.inspecting",
    "inspect": "splicer.inspecting",
}

__all__ = [
    "Diagnostic",
    "Finding",
    "InspectReport",
    "ModuleInspection",
    "ModuleReport",
    "Profile",
    "SpliceReport",
    "SplicerError",
    "ValidationReport",
    "Where",
    "inspect",
    "migrate",
    "plan_migrate",
    "plan_splice",
    "plan_unsplice",
    "splice",
    "unsplice",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'splicer' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
