"""Symbolic links inside exploded applications: followed to the file they name, never out of the app."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, application_xml, write_dir, write_zip
from conftest import REPO
from splicer import splice
from splicer.cli.splice_cmd import splice as splice_cli
from splicer.errors import ArchiveError, Where

PROPERTIES = REPO / "samples" / "splicer.properties"
FILTER = b"com.ibm.ws.xs.sessionmanager.HttpSessionFilter"


def _files(root: Path) -> dict[str, str]:
    """Every path under *root*: a link as '-> target', a file by its content's state."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = "spliced" if FILTER in path.read_bytes() else "plain"
    return found


@pytest.fixture
def linked_war(tmp_path: Path) -> Path:
    """shop.war/WEB-INF/web.xml -> ../conf/web.xml, as a deployment script links a shared descriptor."""
    war = write_dir(tmp_path / "shop.war", {"conf/web.xml": WEB_25, "index.jsp": "x"})
    (war / "WEB-INF").mkdir()
    (war / "WEB-INF" / "web.xml").symlink_to("../conf/web.xml")
    return war


def test_linked_descriptor_is_spliced_where_the_link_leads(linked_war: Path) -> None:
    """Regression (issue 7): the link was replaced by a regular file and the file it named
    stayed unspliced."""
    report = splice(linked_war, PROPERTIES)
    assert _files(linked_war) == {"WEB-INF/web.xml": "-> ../conf/web.xml", "conf/web.xml": "spliced", "index.jsp": "plain"}
    (module,) = report.modules
    assert "WEB-INF/web.xml is a symbolic link: conf/web.xml, the file it names, is spliced; the link is kept" in module.actions
    assert not [p for p in linked_war.parent.rglob("*") if ".splicing" in p.name]
    assert splice(linked_war, PROPERTIES).changed is False


def test_linked_descriptor_with_output(linked_war: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.war"
    splice(linked_war, PROPERTIES, output=out)
    assert _files(linked_war)["conf/web.xml"] == "plain"
    assert _files(out) == {"WEB-INF/web.xml": "-> ../conf/web.xml", "conf/web.xml": "spliced", "index.jsp": "plain"}


def test_absolute_link_with_output_is_refused(linked_war: Path, tmp_path: Path) -> None:
    """With -o, an absolute link in the copy still names the input's file: writing through it
    would change the input, and the output would deploy the input's bytes."""
    link = linked_war / "WEB-INF" / "web.xml"
    link.unlink()
    link.symlink_to(linked_war / "conf" / "web.xml")
    out = tmp_path / "out.war"
    with pytest.raises(ArchiveError, match=r"with -o, the copy would still reach .*conf/web\.xml of the input through "
                                           r"an absolute symbolic link \(make the link relative, or splice in place\)$") as err:
        splice(linked_war, PROPERTIES, output=out)
    assert (err.value.exit_code, err.value.where) == (3, Where((str(linked_war), "WEB-INF/web.xml")))
    assert not out.exists() and _files(linked_war)["conf/web.xml"] == "plain"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.war"]
    splice(linked_war, PROPERTIES)  # in place, the absolute link inside the app is followed
    assert _files(linked_war)["conf/web.xml"] == "spliced"


def test_link_out_of_the_app_is_refused(tmp_path: Path) -> None:
    shared = write_dir(tmp_path / "shared", {"web.xml": WEB_25})
    war = write_dir(tmp_path / "shop.war", {"index.jsp": "x"})
    (war / "WEB-INF").mkdir()
    (war / "WEB-INF" / "web.xml").symlink_to(shared / "web.xml")
    with pytest.raises(ArchiveError, match=r"WEB-INF/web\.xml: path leads out of the application directory: the "
                                           rf"symbolic link WEB-INF/web\.xml names {shared}/web\.xml$") as err:
        splice(war, PROPERTIES)
    assert err.value.exit_code == 3
    assert (shared / "web.xml").read_text() == WEB_25 and (war / "WEB-INF" / "web.xml").is_symlink()


def test_dangling_link_is_refused(tmp_path: Path) -> None:
    war = write_dir(tmp_path / "shop.war", {"index.jsp": "x"})
    (war / "WEB-INF").mkdir()
    (war / "WEB-INF" / "web.xml").symlink_to("../conf/web.xml")
    with pytest.raises(ArchiveError, match=r"WEB-INF/web\.xml: dangling symbolic link: it names \.\./conf/web\.xml, "
                                           r"which does not exist$") as err:
        splice(war, PROPERTIES)
    assert err.value.exit_code == 3
    assert _files(war) == {"WEB-INF/web.xml": "-> ../conf/web.xml", "index.jsp": "plain"}


@pytest.mark.parametrize("listed", [pytest.param(True, id="application-xml"), pytest.param(False, id="found-at-top")])
def test_linked_exploded_war_inside_the_ear(tmp_path: Path, listed: bool) -> None:
    """Web.war -> build/Web.war: the module is found through the link and spliced in place."""
    ear = write_dir(tmp_path / "app.ear", {"build/Web.war/WEB-INF/web.xml": WEB_25})
    if listed:
        write_dir(ear, {"META-INF/application.xml": application_xml(("Web.war", "web"))})
    (ear / "Web.war").symlink_to("build/Web.war")
    report = splice(ear, PROPERTIES)
    assert [(m.name, str(m.where)) for m in report.modules] == [("Web", f"{ear}!/Web.war!/WEB-INF/web.xml")]
    assert (ear / "Web.war").is_symlink()
    assert FILTER in (ear / "build" / "Web.war" / "WEB-INF" / "web.xml").read_bytes()


def test_linked_exploded_war_outside_the_ear_is_refused(tmp_path: Path) -> None:
    elsewhere = write_dir(tmp_path / "elsewhere" / "Web.war", {"WEB-INF/web.xml": WEB_25})
    ear = write_dir(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("Web.war", "web"))})
    (ear / "Web.war").symlink_to(elsewhere)
    with pytest.raises(ArchiveError, match=rf"Web\.war: path leads out of the application directory: the symbolic "
                                           rf"link Web\.war names {elsewhere}$") as err:
        splice(ear, PROPERTIES)
    assert err.value.exit_code == 3
    assert (elsewhere / "WEB-INF" / "web.xml").read_text() == WEB_25


def test_linked_zipped_war_inside_the_ear_keeps_its_link(tmp_path: Path) -> None:
    ear = write_dir(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("Web.war", "web"))})
    (ear / "dist").mkdir()
    write_zip(ear / "dist" / "Web-1.0.war", {"WEB-INF/web.xml": WEB_25})
    (ear / "Web.war").symlink_to("dist/Web-1.0.war")
    splice(ear, PROPERTIES)
    assert os.readlink(ear / "Web.war") == "dist/Web-1.0.war"
    assert (ear / "Web.war").is_symlink()
    assert FILTER in zipfile.ZipFile(ear / "dist" / "Web-1.0.war").read("WEB-INF/web.xml")


def test_linked_alt_dd(tmp_path: Path) -> None:
    ear = write_dir(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "web", "alt/web.xml")),
        "Web.war/WEB-INF/web.xml": WEB_25, "conf/alt-web.xml": WEB_25,
    })
    (ear / "alt").mkdir()
    (ear / "alt" / "web.xml").symlink_to("../conf/alt-web.xml")
    (module,) = splice(ear, PROPERTIES).modules
    assert str(module.where) == f"{ear}!/alt/web.xml"
    files = _files(ear)
    assert (files["alt/web.xml"], files["conf/alt-web.xml"], files["Web.war/WEB-INF/web.xml"]) == (
        "-> ../conf/alt-web.xml", "spliced", "plain")



def test_check_dry_run_and_diff_leave_the_link_and_its_file(linked_war: Path) -> None:
    before = _files(linked_war)
    for args in (["--check", "-q"], ["--dry-run"], ["--diff", "--dry-run"]):
        result = CliRunner().invoke(splice_cli, [str(linked_war), str(PROPERTIES), *args])
        assert result.exit_code == (1 if "--check" in args else 0), result.output
        assert _files(linked_war) == before
    assert result.stdout.startswith(f"--- a/{linked_war}!/WEB-INF/web.xml\n")


def test_web_inf_linked_out_of_the_app_is_refused_before_anything_is_planned(tmp_path: Path) -> None:
    """The listing does not enter a folder link that leads out, so no descriptor was seen there:
    --check reported a descriptor to create, and only the write was refused."""
    shared = write_dir(tmp_path / "shared" / "WEB-INF", {"web.xml": WEB_25})
    war = write_dir(tmp_path / "shop.war", {"index.jsp": "x"})
    (war / "WEB-INF").symlink_to(shared)
    result = CliRunner().invoke(splice_cli, [str(war), str(PROPERTIES), "--check"])
    assert result.exit_code == 3, result.output
    assert f"the symbolic link WEB-INF names {shared}" in result.stderr
    assert (shared / "web.xml").read_text() == WEB_25
