"""`splicer verify --report`: a report that cannot be written is refused before the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from splicer.cli import main
from verify.support import SAMPLES


@pytest.mark.parametrize("args", [[], ["--json"]], ids=["text", "json"])
def test_report_into_a_missing_folder_is_a_usage_error_before_the_run(tmp_path: Path, args: list[str]) -> None:
    """Bug: the whole scenario ran first, then writing the HTML report died with a
    FileNotFoundError traceback and the step table was never printed."""
    report = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(main, ["verify", str(SAMPLES / "MySessionTest.ear"), "--report", str(report), *args])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"CWWSM0100E: {report}: --report: the folder of the report does not exist\n"
    assert not report.parent.exists()
