"""The `splice` command line: options, output streams and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from splicer.cli import main
from splicer.cli.splice_cmd import splice

SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"
LABEL = "MySessionTest.ear!/MySessionTestWeb.war!/WEB-INF/web.xml"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    target = tmp_path / "MySessionTest.ear"
    shutil.copyfile(SAMPLE, target)
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(splice, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_splice_prints_the_cwwsm_lines(app: Path) -> None:
    code, out, err = run(str(app), str(PROPERTIES))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "CWWSM0027I: Processing .war file: MySessionTestWeb"
    assert lines[1] == "CWWSM0028I: The context parameters are as follows:"
    assert lines[2:9] == [
        "CWWSM0029I: Context name: securityEnabled value: false",
        "CWWSM0029I: Context name: fragmentedSession value: true",
        "CWWSM0029I: Context name: sessionTableSize value: 1000",
        "CWWSM0029I: Context name: objectGridType value: REMOTE",
        "CWWSM0029I: Context name: reuseSessionId value: true",
        "CWWSM0029I: Context name: replicationInterval value: 10",
        "CWWSM0029I: Context name: objectGridName value: session",
    ]
    assert lines[-1] == "CWWSM0030I: Application splicing has completed."
    assert app.read_bytes() != SAMPLE.read_bytes()


def test_check_exits_1_then_0(app: Path) -> None:
    assert run(str(app), str(PROPERTIES), "--check", "-q")[0] == 1
    assert app.read_bytes() == SAMPLE.read_bytes()
    assert run(str(app), str(PROPERTIES), "-q")[0] == 0
    assert run(str(app), str(PROPERTIES), "--check", "-q")[0] == 0


def test_diff_is_labelled_and_dry_run_keeps_the_input(app: Path) -> None:
    code, out, err = run(str(app), str(PROPERTIES), "--diff", "--dry-run")
    assert code == 0
    assert out.startswith(f"--- a/{app}!/MySessionTestWeb.war!/WEB-INF/web.xml\n+++ b/")
    assert "+        <param-name>objectGridName</param-name>\n" in out or "+    <context-param>" in out
    assert not any(line.startswith("-") and not line.startswith("---") for line in out.splitlines())
    assert "CWWSM0030I" in err
    assert app.read_bytes() == SAMPLE.read_bytes()


def test_json_report(app: Path) -> None:
    code, out, err = run(str(app), str(PROPERTIES), "--json", "--dry-run")
    assert code == 0
    report = json.loads(out)
    assert report["changed"] is True and report["written"] is False
    (module,) = report["modules"]
    assert module["module"] == "MySessionTestWeb"
    assert module["context_root"] == "/MySessionTestWeb"
    assert module["version"] == "2.5"
    assert [p["name"] for p in module["params"]][-1] == "objectGridName"
    assert "CWWSM0027I" in err


def test_json_with_diff_keeps_stdout_one_json_document(app: Path) -> None:
    """Regression: --json --diff printed the diff on stdout before the JSON, so the report
    could not be parsed; the diff now goes to stderr with the other human text."""
    code, out, err = run(str(app), str(PROPERTIES), "--json", "--diff", "--dry-run")
    assert code == 0
    assert json.loads(out)["changed"] is True
    assert f"--- a/{app}!/MySessionTestWeb.war!/WEB-INF/web.xml\n" in err
    assert "+        <param-name>objectGridName</param-name>\n" in err


def test_json_error_and_exit_2_for_unknown_key(app: Path, tmp_path: Path) -> None:
    props = tmp_path / "bad.properties"
    props.write_text("objectGridName=session\nobjectGridNmae=session\n")
    code, out, err = run(str(app), str(props), "--json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["where"] == f"{props}:2"
    assert "objectGridName" in err  # the did-you-mean
    assert app.read_bytes() == SAMPLE.read_bytes()


def test_allow_unknown_passes_the_key_through(app: Path, tmp_path: Path) -> None:
    props = tmp_path / "extra.properties"
    props.write_text("objectGridName=session\nmyCompanySetting=42\n")
    code, out, err = run(str(app), str(props), "--allow-unknown")
    assert code == 0
    assert "CWWSM0029I: Context name: myCompanySetting value: 42" in out
    assert "myCompanySetting" in err


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(["missing.ear", str(PROPERTIES)], 2, id="missing-app"),
        pytest.param([str(SAMPLE), "missing.properties"], 2, id="missing-properties"),
        pytest.param([str(SAMPLE), str(PROPERTIES), "-q", "-v"], 2, id="quiet-and-verbose"),
        pytest.param([str(SAMPLE), str(PROPERTIES), "--check", "-o", "x.ear"], 2, id="check-with-output"),
        pytest.param([str(SAMPLE)], 2, id="no-properties"),
    ],
)
def test_usage_errors_exit_2(args: list[str], code: int) -> None:
    assert run(*args)[0] == code


def test_corrupt_archive_exits_3_and_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ear"
    bad.write_bytes(SAMPLE.read_bytes()[:-40])
    code, out, err = run(str(bad), str(PROPERTIES))
    assert code == 3
    assert str(bad) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ear"]


def test_splicer_group_has_splice() -> None:
    result = CliRunner().invoke(main, ["splice", "--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.output


@pytest.mark.parametrize("command", [["-m", "splicer", "splice"], ["-c", "from splicer.cli import splice_main; splice_main()"]], ids=["python-m", "splice-script"])
def test_real_process(command: list[str], app: Path) -> None:
    done = subprocess.run([sys.executable, *command, str(app), str(PROPERTIES), "--check", "-q"], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr


TERM_MID_WRITE = """
import os, signal, sys
from splicer.archives import records
from splicer.cli import splice_main
real = records.write_entry
def write_entry(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    return real(*args, **kwargs)
records.write_entry = write_entry
sys.argv = ["splice", *sys.argv[1:]]
splice_main()
"""


@pytest.mark.parametrize("to_output", [pytest.param(False, id="in-place"), pytest.param(True, id="with-o")])
def test_sigterm_mid_write_leaves_no_temp_file(app: Path, to_output: bool) -> None:
    """Regression: SIGTERM (a CI timeout) while the archive was being written killed the
    process on the spot and left `.MySessionTest.ear.*.splicing` in the folder."""
    args = [str(app), str(PROPERTIES), "-q"] + (["-o", str(app.with_name("out.ear"))] if to_output else [])
    done = subprocess.run([sys.executable, "-c", TERM_MID_WRITE, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines() == ["CWWSM0399E: interrupted by SIGTERM; no half-written file is left"]
    assert sorted(p.name for p in app.parent.iterdir()) == ["MySessionTest.ear"]
    assert app.read_bytes() == SAMPLE.read_bytes()


def test_interrupt_with_json_prints_the_json_error(app: Path) -> None:
    """Regression: with --json, an interrupted run (Ctrl-C, SIGTERM) printed nothing on
    stdout, where every other failure prints {"error": {...}}."""
    done = subprocess.run([sys.executable, "-c", TERM_MID_WRITE, str(app), str(PROPERTIES), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 130, done.stderr
    error = json.loads(done.stdout)["error"]
    assert (error["id"], error["reason"], error["exit_code"]) == (
        "CWWSM0399E", "interrupted by SIGTERM; no half-written file is left", 130)
    assert sorted(p.name for p in app.parent.iterdir()) == ["MySessionTest.ear"]


def test_unchanged_app_with_output_says_it_was_copied(app: Path) -> None:
    """Regression: with -o, an already spliced app was copied to the output, but the log said
    "it was not rewritten", which reads as if no output had been made."""
    assert run(str(app), str(PROPERTIES), "-q")[0] == 0
    out = app.with_name("copy.ear")
    code, stdout, _ = run(str(app), str(PROPERTIES), "-o", str(out))
    assert code == 0
    assert f"CWWSM0032I: {app} is already spliced with these settings; it was copied unchanged to {out}." in stdout.splitlines()
    assert out.read_bytes() == app.read_bytes()
    code, stdout, _ = run(str(app), str(PROPERTIES))
    assert f"CWWSM0032I: {app} is already spliced with these settings; it was not rewritten." in stdout.splitlines()


def test_output_onto_the_properties_is_refused(app: Path, tmp_path: Path) -> None:
    """A typo `-o splicer.properties` would have replaced the settings with an archive."""
    props = tmp_path / "splicer.properties"
    shutil.copyfile(PROPERTIES, props)
    code, out, err = run(str(app), str(props), "-o", str(props))
    assert code == 2
    assert "-o names the properties file" in err
    assert props.read_bytes() == PROPERTIES.read_bytes()
    assert app.read_bytes() == SAMPLE.read_bytes()
