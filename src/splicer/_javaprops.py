"""javaproperties' reader without the rest of the package: reading a file needs no network stack.

``import javaproperties`` runs the package's ``__init__``, which imports its XML support and
with it ``xml.sax.saxutils``, ``urllib.request``, ``http.client``, ``email`` and ``ssl``: some
70 ms of `splice`'s start-up, to read a text file.  Its ``reading`` and ``util`` modules are
loaded here on their own and kept by this module only: ``sys.modules`` is left as it was,
so a later ``import javaproperties`` gets the whole package, as usual (with copies of its
own of those two).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["reading", "util"]


def _submodules() -> tuple[ModuleType, ModuleType]:
    if "javaproperties" in sys.modules:  # imported in full already (tests, another tool)
        return importlib.import_module("javaproperties.reading"), importlib.import_module("javaproperties.util")
    spec = importlib.util.find_spec("javaproperties")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("javaproperties is not installed", name="javaproperties")
    # A bare package module stands in while the two load (their own imports are relative),
    # then goes with them: a later `import javaproperties` runs the real __init__.
    package = ModuleType("javaproperties")
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__package__ = "javaproperties"
    names = ("javaproperties", "javaproperties.util", "javaproperties.reading")
    sys.modules["javaproperties"] = package
    try:
        return importlib.import_module("javaproperties.reading"), importlib.import_module("javaproperties.util")
    finally:
        for name in names:
            sys.modules.pop(name, None)


if TYPE_CHECKING:
    from javaproperties import reading, util
else:
    reading, util = _submodules()
