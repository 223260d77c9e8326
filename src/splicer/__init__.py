"""splicer: splice WebSphere eXtreme Scale session filters into Java web archives.

The public API: `splice()` does the job, `plan_splice()` works it out without writing,
`SpliceReport` says what happened, and every deliberate failure is a `SplicerError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from splicer.errors import Diagnostic, SplicerError, Where

if TYPE_CHECKING:
    from splicer.report import ModuleReport, SpliceReport
    from splicer.splicing import plan_splice, splice

# Imported on first use: the emulator's processes import splicer.grid or splicer.server
# without paying for the splice engine, and the other way round.
_LAZY = {
    "ModuleReport": "splicer.report",
    "SpliceReport": "splicer.report",
    "plan_splice": "splicer.splicing",
    "splice": "splicer.splicing",
}

__all__ = ["Diagnostic", "ModuleReport", "SpliceReport", "SplicerError", "Where", "plan_splice", "splice"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'splicer' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
