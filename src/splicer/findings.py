"""What `splicer validate` found: one finding a line as compilers print them, JSON, or GitHub annotations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from splicer.errors import EXIT_OK, EXIT_UNSAFE

Severity = Literal["error", "warning", "note"]  # a note informs: never an exit code, even with --strict
REPORT_FORMAT = 1
EXIT_FINDINGS = 1
# Input that cannot be read at all: exit 3 rather than 1 (see the README's code table).
UNREADABLE_CODES = frozenset({"WX001", "WX002", "WX003", "WX004"})


@dataclass(frozen=True)
class Finding:
    """One problem (or note): ``LOCATION:LINE:COL: error|warning|note CODE message``.

    LOCATION is a path as given, or a path into an archive (``app.ear!/Web.war!/WEB-INF/web.xml``).
    """

    location: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {"location": self.location, "line": self.line, "column": self.column,
                "severity": self.severity, "code": self.code, "message": self.message}

    def github(self) -> str:
        """A workflow command: GitHub Actions shows it as an annotation on the file and line.

        A finding inside an archive is annotated on the archive, which is what the repository
        holds; the entry inside it is named in the message.
        """
        file, _, inner = self.location.partition("!/")
        text = f"{self.code} {self.message}" if not inner else f"{self.code} {inner}:{self.line}: {self.message}"
        props = f"file={_prop(file)},line={self.line},col={self.column},title={_prop('splicer ' + self.code)}"
        command = "notice" if self.severity == "note" else self.severity
        return f"::{command} {props}::{_data(text)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class DescriptorSummary:
    """One descriptor looked at: where, what it declares, which grammar checked it."""

    location: str
    kind: str
    version: str
    namespace: str
    schema: str | None  # the grammar file used, None when none was

    def to_json(self) -> dict[str, object]:
        return {"location": self.location, "kind": self.kind, "version": self.version,
                "namespace": self.namespace, "schema": self.schema}


@dataclass
class ValidationReport:
    """Every finding of one run, in the order the inputs were given, and the exit code."""

    paths: list[Path]
    schemas: list[str]
    strict: bool = False
    descriptors: list[DescriptorSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    @property
    def unreadable(self) -> bool:
        return any(f.code in UNREADABLE_CODES for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return EXIT_UNSAFE
        if self.errors or (self.strict and self.warnings):
            return EXIT_FINDINGS
        return EXIT_OK

    def summary(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        schemas = ", ".join(self.schemas) if self.schemas else "none found"
        notes = f", {count(len(self.notes), 'note')}" if self.notes else ""
        return (f"{count(len(self.errors), 'error')}, {count(len(self.warnings), 'warning')}{notes} in "
                f"{count(len(self.descriptors), 'descriptor')} (schemas: {schemas})")

    def render(self, form: Literal["text", "json", "github"]) -> str:
        """The report in one of the output formats, without the summary line."""
        if form == "json":
            import json

            return json.dumps(self.to_json(), indent=2) + "\n"
        lines = [f.github() if form == "github" else str(f) for f in self.findings]
        return "".join(line + "\n" for line in lines)

    def to_json(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "paths": [str(p) for p in self.paths],
            "schemas": list(self.schemas),
            "strict": self.strict,
            "descriptors": [d.to_json() for d in self.descriptors],
            "findings": [f.to_json() for f in self.findings],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "exit_code": self.exit_code,
        }
