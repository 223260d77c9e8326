"""What a splice (or an unsplice) did or would do: one report, printed as CWWSM lines or as JSON."""

from __future__ import annotations

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
    removed: bool = False  # unsplice deletes a web.xml that splice created

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
        import difflib  # only --diff shows one

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
            "removed": self.removed,
            "changed": self.changed,
            "params": [{"name": name, "value": value} for name, value in self.params],
            "actions": list(self.actions),
            "warnings": [w.to_json() for w in self.warnings],
        }


@dataclass
class SpliceReport:
    """The outcome of `splice` or `unsplice` (or of planning it, for --dry-run, --check and --diff).

    For unsplice, each module's *params* are the context-params removed; *properties* is
    None when every documented key was looked for.
    """

    app: Path
    properties: Path | None
    output: Path | None
    modules: list[ModuleReport]
    warnings: list[Diagnostic]
    written: bool = False
    dry_run: bool = False
    command: str = "splice"  # or "unsplice", "migrate"
    check: bool = False  # --check: the lines say what would change

    @property
    def changed(self) -> bool:
        return any(module.changed for module in self.modules)

    def all_warnings(self) -> list[Diagnostic]:
        return self.warnings + [w for module in self.modules for w in module.warnings]

    def info_lines(self, *, verbose: bool = False) -> list[str]:
        """The original tool's informational lines, in English, one module after another.

        With *check*, only what would change, one line per module, and the outcome.
        """
        if self.check:
            return self._check_lines()
        lines: list[str] = []
        for module in self.modules:
            lines.append(f"CWWSM0027I: Processing .war file: {module.name}")
            if self.command in ("splice", "migrate"):
                lines.append("CWWSM0028I: The context parameters are as follows:")
                lines.extend(f"CWWSM0029I: Context name: {name} value: {value}" for name, value in module.params)
            elif module.params:
                lines.append("CWWSM0035I: The context parameters removed are as follows:")
                lines.extend(f"CWWSM0036I: Removed context name: {name} value: {value}" for name, value in module.params)
            if verbose:
                state = "unchanged" if not module.changed else (
                    "created" if module.created else "removed" if module.removed else "changed")
                lines.append(f"  {module.where} (Servlet {module.version}): {state}")
                lines.extend(f"    {action}" for action in module.actions)
        if self.dry_run:
            verb = "would change" if self.changed else "needs no change"
            lines.append(f"CWWSM0031I: Dry run: {self.app} {verb}; nothing was written.")
            return lines
        if not self.changed:
            copied = self.output is not None and self.written
            outcome = f"it was copied unchanged to {self.output}" if copied else "it was not rewritten"
            lines.append(f"{self._nothing_to_do()}; {outcome}.")
        lines.append({"splice": "CWWSM0030I: Application splicing has completed.",
                      "migrate": "CWWSM0041I: Application migration has completed."}.get(
                         self.command, "CWWSM0037I: Application unsplicing has completed."))
        return lines

    def _nothing_to_do(self) -> str:
        if not self.modules:
            return f"CWWSM0033I: {self.app} has no web module to {self.command}"
        if self.command == "splice":
            return f"CWWSM0032I: {self.app} is already spliced with these settings"
        if self.command == "migrate":
            return f"CWWSM0042I: {self.app} is already migrated with these settings"
        return f"CWWSM0039I: {self.app} holds nothing that splicing adds"

    def _check_lines(self) -> list[str]:
        changed = [module for module in self.modules if module.changed]
        lines = [f"CWWSM0038I: {module.where}: would change: {'; '.join(module.actions)}" for module in changed]
        if changed:
            lines.append(f"CWWSM0040I: {self.app} would change ({len(changed)} of {len(self.modules)} "
                         "web modules); nothing was written.")
        else:
            lines.append(f"{self._nothing_to_do()}; nothing was written.")
        return lines

    def to_json(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "command": self.command,
            "app": str(self.app),
            "properties": str(self.properties) if self.properties is not None else None,
            "output": str(self.output) if self.output else None,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "written": self.written,
            "modules": [module.to_json() for module in self.modules],
            "warnings": [w.to_json() for w in self.all_warnings()],
        }
