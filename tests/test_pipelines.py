"""What pipelines and newcomers rely on: the problem matcher, the pre-commit hooks, the Makefile, LICENSE."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from appbuild import write_zip
from conftest import REPO
from splicer.validating import validate
from splicer.webxml.catalog import SchemaCatalog

BAD = """<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0" metadata-complete="true">
  <filter-mapping><filter-name>ghost</filter-name><url-pattern>*</url-pattern></filter-mapping>
</web-app>
"""


def test_the_problem_matcher_reads_every_finding_line(tmp_path: Path) -> None:
    """GitHub applies the matcher's regexp to each log line; it must take file, line, column,
    severity, code and message from the text format, archive locations included."""
    matcher = json.loads((REPO / ".github" / "splicer-problem-matcher.json").read_text())
    (pattern,) = matcher["problemMatcher"][0]["pattern"]
    regexp = re.compile(pattern["regexp"])
    (tmp_path / "web.xml").write_text(BAD)
    war = write_zip(tmp_path / "my app.war", {"WEB-INF/web.xml": BAD})
    report = validate([tmp_path / "web.xml", war], catalog=SchemaCatalog([]))
    lines = report.render("text").splitlines()
    assert len(lines) == len(report.findings) >= 5
    for line, finding in zip(lines, report.findings):
        match = regexp.match(line)
        assert match, line
        got = {key: match.group(pattern[key]) for key in ("file", "line", "column", "severity", "code", "message")}
        assert got == {"file": finding.location, "line": str(finding.line), "column": str(finding.column),
                       "severity": finding.severity, "code": finding.code, "message": finding.message}


def test_pre_commit_hooks_name_real_commands() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    hooks = re.findall(r"^- id: (\S+)\n((?:  .*\n)+)", text, re.MULTILINE)
    assert [hook_id for hook_id, _ in hooks] == ["splicer-validate", "splicer-splice-check"]
    fields = {hook_id: dict(re.findall(r"^  (\w+): (.*)$", body, re.MULTILINE)) for hook_id, body in hooks}
    assert fields["splicer-validate"]["entry"] == "splicer validate"
    assert fields["splicer-splice-check"]["entry"] == "splice --check -q"
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    for hook in fields.values():
        assert hook["language"] == "python"
        assert hook["entry"].split()[0] in scripts
    files = re.compile(fields["splicer-validate"]["files"])
    for path in ("src/main/webapp/WEB-INF/web.xml", "web.xml", "META-INF/web-fragment.xml", "ear/META-INF/application.xml"):
        assert files.search(path), path
    for path in ("pom.xml", "src/main/webapp/WEB-INF/my-web.xml", "web.xml.bak"):
        assert not files.search(path), path


def test_the_validate_hook_runs_as_pre_commit_runs_it(tmp_path: Path) -> None:
    """pre-commit appends the staged file names to the entry."""
    (tmp_path / "web.xml").write_text(BAD)
    (tmp_path / "application.xml").write_text('<application xmlns="http://java.sun.com/xml/ns/javaee" version="6"/>')
    entry = [sys.executable, "-m", "splicer", "validate"]
    done = subprocess.run([*entry, "web.xml", "application.xml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout.startswith("web.xml:2:3: error WX201 ")


def test_demo_installs_the_runtime_only() -> None:
    makefile = (REPO / "Makefile").read_text()
    demo = re.search(r"^demo: (.*)$", makefile, re.MULTILINE)
    runtime = re.search(r"^\$\(VENV\)/\.runtime: .*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert demo and runtime
    assert demo.group(1).split() == ["$(VENV)/.runtime"]
    assert "-e ." in runtime.group(1) and "[test]" not in runtime.group(1)
    assert re.search(r"^test: setup$", makefile, re.MULTILINE)


def test_license_is_the_apache_license_pyproject_names() -> None:
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n                           Version 2.0, January 2004")
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text


def test_ci_installs_the_tomcat_jars_for_the_schemas() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "need+=(libtomcat10-java)" in script and "need+=(libtomcat9-java)" in script
