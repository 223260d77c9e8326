"""The `splice` command line: options, output streams and exit codes."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, write_dir, write_zip
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


def test_check_prints_what_would_change(app: Path) -> None:
    """Regression: --check printed "Dry run" and "Application splicing has completed" (after
    splicing nothing); it now says what would change, module by module."""
    code, out, err = run(str(app), str(PROPERTIES), "--check")
    assert code == 1
    assert out.splitlines() == [
        f"CWWSM0038I: {app}!/MySessionTestWeb.war!/WEB-INF/web.xml: would change: add context-param "
        "securityEnabled; add context-param fragmentedSession; add context-param sessionTableSize; add "
        "context-param objectGridType; add context-param reuseSessionId; add context-param replicationInterval; "
        "add context-param objectGridName; add filter HttpSessionFilter; add filter-mapping HttpSessionFilter "
        "first; add listener com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener",
        f"CWWSM0040I: {app} would change (1 of 1 web modules); nothing was written.",
    ]
    assert run(str(app), str(PROPERTIES), "-q")[0] == 0
    assert run(str(app), str(PROPERTIES), "--check") == (
        0, f"CWWSM0032I: {app} is already spliced with these settings; nothing was written.\n", "")


@pytest.mark.parametrize("args", [["--version"], ["-h"], ["--help"]], ids=["version", "h", "help"])
def test_splice_has_version_and_h(args: list[str]) -> None:
    """Regression: `splice --version` and `splice -h` failed while `splicer` had both."""
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert out.startswith("splice, version " if args == ["--version"] else "Usage: splice [OPTIONS] APP PROPERTIES")
    done = subprocess.run([sys.executable, "-c", "from splicer.cli import splice_main; splice_main()", *args],
                          capture_output=True, text=True, check=False, timeout=60)
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, out.splitlines()[0])


def test_arguments_the_other_way_round_are_named(app: Path, tmp_path: Path) -> None:
    """Regression: `splice splicer.properties app.ear` said "the file contains NUL bytes ...
    (UTF-16?)" about the archive read as settings."""
    code, out, err = run(str(PROPERTIES), str(app))
    assert code == 2
    assert err == (f"CWWSM0103E: {PROPERTIES}: the arguments are the other way round: APP is not an application, "
                   f"and PROPERTIES ({app}) is an archive (give APP first, then PROPERTIES)\n")
    assert app.read_bytes() == SAMPLE.read_bytes()
    web_xml = tmp_path / "web.xml"
    web_xml.write_text("<web-app/>\n")
    assert run(str(PROPERTIES), str(web_xml))[2].startswith("CWWSM0103E: ")
    code, _, err = run(str(app), str(app))
    assert (code, err) == (2, f"CWWSM0103E: {app}: PROPERTIES is an archive, not a splicer.properties file "
                              "(give APP first, then PROPERTIES)\n")


@pytest.mark.parametrize("make", [
    pytest.param(lambda d: write_zip(d / "lib.jar", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
                                                      "a/B.class": b"\xca\xfe"}), id="jar"),
    pytest.param(lambda d: write_dir(d / "empty", {}), id="empty-folder"),
    pytest.param(lambda d: write_dir(d / "src", {"main/java/A.java": "class A {}"}), id="src-tree"),
])
def test_an_app_without_web_module_is_refused_unless_allowed(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    """Regression: a .jar, an empty folder or a src/ tree exited 0 with only a warning, so a
    build that named the wrong file passed."""
    target = make(tmp_path)
    code, out, err = run(str(target), str(PROPERTIES))
    assert code == 2
    assert err == (f"CWWSM0102E: {target}: the application has no web module to splice (no WEB-INF/, no *.war "
                   "listed or at the top) (name the WAR or EAR (or the web.xml), or pass --allow-empty to accept it)\n")
    code, out, err = run(str(target), str(PROPERTIES), "--allow-empty")
    assert code == 0
    assert err.startswith(f"CWWSM0503W: {target}: ")
    assert out.splitlines()[-2:] == [f"CWWSM0033I: {target} has no web module to splice; it was not rewritten.",
                                     "CWWSM0030I: Application splicing has completed."]


def test_a_bare_web_xml_is_spliced_in_place(tmp_path: Path) -> None:
    """A source tree's web.xml (src/main/webapp/WEB-INF/web.xml) is spliced where it is,
    atomically, keeping its mode, and labelled by its path; it was "not a zip archive"."""
    web_xml = write_dir(tmp_path / "src" / "main" / "webapp", {"WEB-INF/web.xml": WEB_25}) / "WEB-INF" / "web.xml"
    web_xml.chmod(0o640)
    code, out, err = run(str(web_xml), str(PROPERTIES), "--diff")
    assert code == 0 and out.startswith(f"--- a/{web_xml}\n+++ b/{web_xml}\n")
    assert web_xml.read_text() == WEB_25
    code, out, err = run(str(web_xml), str(PROPERTIES), "-v")
    assert code == 0
    assert out.splitlines()[0] == "CWWSM0027I: Processing .war file: webapp"
    assert f"  {web_xml} (Servlet 2.5): changed" in out.splitlines()
    spliced = web_xml.read_bytes()
    assert b"com.ibm.ws.xs.sessionmanager.HttpSessionFilter" in spliced and b"<display-name>Shop" in spliced
    assert stat.S_IMODE(web_xml.stat().st_mode) == 0o640
    assert sorted(p.name for p in web_xml.parent.iterdir()) == ["web.xml"]  # no lock or temp file left
    assert run(str(web_xml), str(PROPERTIES), "--check")[0] == 0
    copy = tmp_path / "copy.xml"
    assert run(str(web_xml), str(PROPERTIES), "-o", str(copy), "-q")[0] == 0
    assert copy.read_bytes() == spliced


def test_a_bare_web_xml_behind_a_link_is_spliced_where_it_leads(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "web.xml"
    target.parent.mkdir()
    target.write_text(WEB_25)
    link = tmp_path / "web.xml"
    link.symlink_to(Path("conf") / "web.xml")
    assert run(str(link), str(PROPERTIES), "-q")[0] == 0
    assert link.is_symlink() and b"HttpSessionFilter" in target.read_bytes()


@pytest.mark.parametrize("extra", [[], ["--dry-run"]], ids=["diff-alone", "with-dry-run"])
def test_diff_is_labelled_and_never_writes(app: Path, extra: list[str]) -> None:
    """Regression: --diff alone rewrote APP, unlike black's and ruff's --diff, so a CI step
    meant to show the change mutated the artifact; --diff now only shows."""
    code, out, err = run(str(app), str(PROPERTIES), "--diff", *extra)
    assert code == 0
    assert out.startswith(f"--- a/{app}!/MySessionTestWeb.war!/WEB-INF/web.xml\n+++ b/")
    assert "+        <param-name>objectGridName</param-name>\n" in out or "+    <context-param>" in out
    assert not any(line.startswith("-") and not line.startswith("---") for line in out.splitlines())
    assert err.splitlines()[-1] == f"CWWSM0031I: Dry run: {app} would change; nothing was written."
    assert "CWWSM0030I" not in err  # nothing was spliced, so splicing did not complete
    assert app.read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in app.parent.iterdir()) == [app.name]


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
        pytest.param([str(SAMPLE), str(PROPERTIES), "--diff", "-o", "x.ear"], 2, id="diff-with-output"),
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
