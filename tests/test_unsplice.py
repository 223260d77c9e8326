"""unsplice() and `splicer unsplice` on whole applications: the way back from a splice, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, application_xml, read_tree, write_dir, write_zip
from conftest import REPO
from test_corpus_wars import REFUSED, ROWS
from splicer import splice, unsplice
from splicer.cli.group import splicer as group
from splicer.errors import NoWebModuleError, SignedArchiveError

PROPERTIES = REPO / "samples" / "splicer.properties"
SAMPLE = REPO / "samples" / "MySessionTest.ear"
FILTER_CLASS = b"com.ibm.ws.xs.sessionmanager.HttpSessionFilter"


def _entries(path: Path) -> list[tuple[str, int, tuple[int, ...], bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.compress_type, i.date_time, archive.read(i.filename)) for i in archive.infolist()]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, ["unsplice", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(row["file"] for row in ROWS if row["file"] not in REFUSED) or ["(no corpus)"])
def test_every_corpus_descriptor_comes_back_byte_for_byte(name: str, tmp_path: Path, corpus_dir: Path) -> None:
    """unsplice(splice(x)) == x for every real web.xml splice accepts: in a WAR, and on its own."""
    original = (corpus_dir / name).read_bytes()
    war = write_zip(tmp_path / "app.war", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n\r\n",
                                           "WEB-INF/web.xml": original, "index.jsp": "<html/>\n"})
    spliced, back = tmp_path / "spliced.war", tmp_path / "back.war"
    splice(war, PROPERTIES, output=spliced)
    report = unsplice(spliced, output=back)
    assert [m.changed for m in report.modules] == [True]
    assert _entries(back) == _entries(war)
    bare = tmp_path / "src" / "main" / "webapp" / "WEB-INF" / "web.xml"
    bare.parent.mkdir(parents=True)
    bare.write_bytes(original)
    splice(bare, PROPERTIES)
    assert FILTER_CLASS in bare.read_bytes()
    unsplice(bare)
    assert bare.read_bytes() == original


def test_the_sample_spliced_with_other_settings_loses_them_all(tmp_path: Path) -> None:
    """An app spliced with one settings file, then another: unsplice (no PROPERTIES) takes out
    every documented key either put in, and the descriptors are the original's again."""
    other = tmp_path / "other.properties"
    other.write_text("catalogHostPort=cat1:2809,cat2:2809\nreplicationInterval=0\ntraceFile=/tmp/xs.log\n"
                     "cookieName=SHOPSESSION\n")
    ear = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, ear)
    splice(ear, PROPERTIES)
    splice(ear, other)
    assert b"cat1:2809" in read_tree(ear)["MySessionTestWeb.war!/WEB-INF/web.xml"]
    report = unsplice(ear)
    (module,) = report.modules
    assert [name for name, _ in module.params] == [
        "securityEnabled", "fragmentedSession", "sessionTableSize", "objectGridType", "reuseSessionId",
        "replicationInterval", "objectGridName", "catalogHostPort", "traceFile", "cookieName"]
    assert read_tree(ear)["MySessionTestWeb.war!/WEB-INF/web.xml"] == read_tree(SAMPLE)["MySessionTestWeb.war!/WEB-INF/web.xml"]
    assert unsplice(ear).changed is False


def test_properties_limit_the_params_taken_out(tmp_path: Path) -> None:
    ear = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, ear)
    splice(ear, PROPERTIES)
    only = tmp_path / "only.properties"
    only.write_text("objectGridName=whatever\nsessionTableSize=1\n")
    (module,) = unsplice(ear, only).modules
    assert [name for name, _ in module.params] == ["sessionTableSize", "objectGridName"]
    web_xml = read_tree(ear)["MySessionTestWeb.war!/WEB-INF/web.xml"]
    assert b"<param-name>replicationInterval</param-name>" in web_xml
    assert b"objectGridName" not in web_xml and FILTER_CLASS not in web_xml


@pytest.mark.parametrize("exploded", [False, True], ids=["zipped", "exploded"])
def test_a_descriptor_splice_created_is_deleted_again(tmp_path: Path, exploded: bool) -> None:
    tree = {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "WEB-INF/classes/A.class": b"\xca\xfe", "index.jsp": "hi"}
    war = write_dir(tmp_path / "shop.war", tree) if exploded else write_zip(tmp_path / "shop.war", tree)  # type: ignore[arg-type]
    before = war.read_bytes() if not exploded else None
    assert splice(war, PROPERTIES).modules[0].created
    (module,) = unsplice(war).modules
    assert (module.removed, module.changed, module.after) == (True, True, None)
    assert module.actions[-1] == "delete WEB-INF/web.xml: splicing created it and nothing else is in it"
    if exploded:
        assert not (war / "WEB-INF" / "web.xml").exists()
        assert sorted(p.relative_to(war).as_posix() for p in war.rglob("*") if p.is_file()) == sorted(tree)
    else:
        assert war.read_bytes() == before  # the same zip, byte for byte


def test_a_created_descriptor_someone_added_to_is_kept(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "shop.war", {"index.jsp": "hi"})
    splice(war, PROPERTIES)
    with zipfile.ZipFile(war) as archive:
        data = archive.read("WEB-INF/web.xml").replace(b"</web-app>", b"    <display-name>mine</display-name>\n</web-app>")
    write_zip(war, {"index.jsp": "hi", "WEB-INF/web.xml": data})
    (module,) = unsplice(war).modules
    assert not module.removed and module.after is not None and b"<display-name>mine" in module.after
    assert FILTER_CLASS not in read_tree(war)["WEB-INF/web.xml"]


def test_alt_dd_is_the_descriptor_unspliced(tmp_path: Path) -> None:
    own = WEB_25.replace("Shop", "Own")
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "web", "alt/web.xml")),
        "Web.war": {"WEB-INF/web.xml": own, "index.jsp": "<html/>"},
        "alt/web.xml": WEB_25,
    })
    original = read_tree(ear)
    splice(ear, PROPERTIES)
    (module,) = unsplice(ear).modules
    assert str(module.where) == f"{ear}!/alt/web.xml"
    assert [w.message_id for w in module.warnings] == ["CWWSM0506W"]
    assert read_tree(ear) == original


def test_nothing_to_take_out_is_not_rewritten(tmp_path: Path) -> None:
    ear = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, ear)
    inode = os.stat(ear).st_ino
    report = unsplice(ear)
    assert (report.changed, report.written) == (False, False)
    assert os.stat(ear).st_ino == inode
    assert report.info_lines()[-2:] == [f"CWWSM0039I: {ear} holds nothing that splicing adds; it was not rewritten.",
                                        "CWWSM0037I: Application unsplicing has completed."]


def test_signed_module_is_refused_unless_stripped(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "app.war", {"WEB-INF/web.xml": WEB_25})
    splice(war, PROPERTIES)
    spliced = read_tree(war)
    signed = write_zip(tmp_path / "signed.war", {**spliced, "META-INF/A.SF": "x", "META-INF/A.RSA": b"\x30"})
    before = signed.read_bytes()
    with pytest.raises(SignedArchiveError):
        unsplice(signed)
    assert signed.read_bytes() == before
    unsplice(signed, strip_signatures=True)
    assert sorted(read_tree(signed)) == ["WEB-INF/web.xml"]


def test_no_web_module_is_an_error_unless_allowed(tmp_path: Path) -> None:
    jar = write_zip(tmp_path / "lib.jar", {"a/B.class": b"\xca\xfe"})
    with pytest.raises(NoWebModuleError) as info:
        unsplice(jar)
    assert (info.value.exit_code, info.value.message_id) == (2, "CWWSM0102E")
    assert unsplice(jar, allow_empty=True).modules == []


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def spliced(tmp_path: Path) -> Path:
    ear = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, ear)
    splice(ear, PROPERTIES)
    return ear


def test_cli_check_then_unsplice_then_check(spliced: Path) -> None:
    before = spliced.read_bytes()
    code, out, err = cli(str(spliced), "--check")
    assert code == 1 and spliced.read_bytes() == before
    lines = out.splitlines()
    assert lines[0].startswith(f"CWWSM0038I: {spliced}!/MySessionTestWeb.war!/WEB-INF/web.xml: would change: "
                               "remove context-param securityEnabled; ")
    assert lines[-1] == f"CWWSM0040I: {spliced} would change (1 of 1 web modules); nothing was written."
    assert "Dry run" not in out and "completed" not in out
    assert cli(str(spliced), "-q")[0] == 0
    assert spliced.read_bytes() == SAMPLE.read_bytes()
    assert cli(str(spliced), "--check") == (0, f"CWWSM0039I: {spliced} holds nothing that splicing adds; "
                                               "nothing was written.\n", "")


def test_cli_diff_shows_only_removals_and_writes_nothing(spliced: Path) -> None:
    before = spliced.read_bytes()
    code, out, err = cli(str(spliced), "--diff")
    assert code == 0 and spliced.read_bytes() == before
    assert out.startswith(f"--- a/{spliced}!/MySessionTestWeb.war!/WEB-INF/web.xml\n")
    body = [line for line in out.splitlines()[2:] if line[:1] in "+-"]
    assert body and all(line.startswith("-") for line in body)


def test_cli_json_and_output(spliced: Path, tmp_path: Path) -> None:
    out_ear = tmp_path / "clean.ear"
    code, out, err = cli(str(spliced), "-o", str(out_ear), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["command"], report["properties"], report["written"], report["output"]) == (
        "unsplice", None, True, str(out_ear))
    assert report["modules"][0]["params"][0] == {"name": "securityEnabled", "value": "false"}
    assert read_tree(out_ear) == read_tree(SAMPLE)
    assert FILTER_CLASS in read_tree(spliced)["MySessionTestWeb.war!/WEB-INF/web.xml"]


@pytest.mark.parametrize(("args", "code", "message"), [
    pytest.param(["missing.ear"], 2, "CWWSM0100E: missing.ear: the application does not exist", id="missing"),
    pytest.param(["{app}", "-q", "-v"], 2, "CWWSM0100E: -q and -v contradict each other", id="quiet-verbose"),
    pytest.param(["{app}", "--diff", "-o", "x.ear"], 2, "CWWSM0100E: --diff writes nothing", id="diff-output"),
    pytest.param([str(PROPERTIES), "{app}"], 2, "CWWSM0103E: ", id="swapped"),
])
def test_cli_usage_errors(spliced: Path, args: list[str], code: int, message: str) -> None:
    result = cli(*(a.format(app=spliced) for a in args))
    assert result[0] == code
    assert result[2].startswith(message)


def test_cli_corrupt_archive_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ear"
    bad.write_bytes(SAMPLE.read_bytes()[:-40])
    code, _, err = cli(str(bad))
    assert code == 3 and str(bad) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ear"]


def test_cli_help_and_version() -> None:
    assert cli("-h")[1].startswith("Usage: splicer unsplice [OPTIONS] APP [PROPERTIES]")
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("unsplice, version ")
