"""What a splice did or would do: one report, printed as CWWSM lines or as JSON."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from splicer.errors import Diagnostic, Where

REPORT_FORMAT = 1


@dataclass
class ModuleReport:
    """One web module's descriptor: what it was, what changes, and the new text."""

    name: str
    context_root: str
    where: Where
    version: str
    jakarta: bool
    created: bool
    params: list[tuple[str, str]]
    actions: list[str]
    warnings: list[Diagnostic]
    before: bytes | None = field(repr=False, default=None)
    after: bytes | None = field(repr=False, default=None)
    encoding: str = "utf-8"

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the descriptor, labelled with its place in the archive."""
        if not self.changed:
            return ""

        def lines(data: bytes | None) -> list[str]:
            if data is None:
                return []
            text = data.decode(self.encoding, errors="replace")
            return text.splitlines(keepends=True)

        label = str(self.where)
        old = lines(self.before)
        new = lines(self.after)
        out = difflib.unified_diff(old, new, fromfile=f"a/{label}", tofile=f"b/{label}")
        # A last line without a newline would glue the next file's header onto it.
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in out)

    def to_json(self) -> dict[str, object]:
        return {
            "module": self.name,
            "context_root": self.context_root,
            "descriptor": str(self.where),
            "version": self.version,
            "jakarta": self.jakarta,
            "created": self.created,
            "changed": self.changed,
            "params": [{"name": name, "value": value} for name, value in self.params],
            "actions": list(self.actions),
            "warnings": [w.to_json() for w in self.warnings],
        }


@dataclass
class SpliceReport:
    """The outcome of `splice` (or of planning it, for --dry-run, --check and --diff)."""

    app: Path
    properties: Path
    output: Path | None
    modules: list[ModuleReport]
    warnings: list[Diagnostic]
    written: bool = False
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(module.changed for module in self.modules)

    def all_warnings(self) -> list[Diagnostic]:
        return self.warnings + [w for module in self.modules for w in module.warnings]

    def info_lines(self, *, verbose: bool = False) -> list[str]:
        """The original tool's informational lines, in English, one module after another."""
        lines: list[str] = []
        for module in self.modules:
            lines.append(f"CWWSM0027I: Processing .war file: {module.name}")
            lines.append("CWWSM0028I: The context parameters are as follows:")
            for name, value in module.params:
                lines.append(f"CWWSM0029I: Context name: {name} value: {value}")
            if verbose:
                state = "unchanged" if not module.changed else ("created" if module.created else "changed")
                lines.append(f"  {module.where} (Servlet {module.version}): {state}")
                lines.extend(f"    {action}" for action in module.actions)
        if self.dry_run:
            verb = "would change" if self.changed else "needs no change"
            lines.append(f"CWWSM0031I: Dry run: {self.app} {verb}; nothing was written.")
        elif not self.changed:
            state = (f"CWWSM0032I: {self.app} is already spliced with these settings" if self.modules
                     else f"CWWSM0033I: {self.app} has no web module to splice")
            copied = self.output is not None and self.written
            outcome = f"it was copied unchanged to {self.output}" if copied else "it was not rewritten"
            lines.append(f"{state}; {outcome}.")
        lines.append("CWWSM0030I: Application splicing has completed.")
        return lines

    def to_json(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "app": str(self.app),
            "properties": str(self.properties),
            "output": str(self.output) if self.output else None,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "written": self.written,
            "modules": [module.to_json() for module in self.modules],
            "warnings": [w.to_json() for w in self.all_warnings()],
        }
