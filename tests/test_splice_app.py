"""splice() on whole applications: WAR, EAR, nested, exploded, missing web.xml, the sample."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from appbuild import WEB_25, application_xml, read_tree, write_dir, write_zip
from conftest import REPO
from splicer import splice
from splicer.errors import ArchiveError, ConfigError, DescriptorError, HostileXmlError, SignedArchiveError, UsageError
from splicer.webxml import validate_webxml
from splicer.webxml.catalog import SchemaCatalog

SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"
TUTORIAL_PARAMS = [
    ("securityEnabled", "false"),
    ("fragmentedSession", "true"),
    ("sessionTableSize", "1000"),
    ("objectGridType", "REMOTE"),
    ("reuseSessionId", "true"),
    ("replicationInterval", "10"),
    ("objectGridName", "session"),
]
NS = "{http://java.sun.com/xml/ns/javaee}"


def _web_xml_of(path: Path, module: str | None = None) -> bytes:
    tree = read_tree(path)
    return tree[f"{module}!/WEB-INF/web.xml" if module else "WEB-INF/web.xml"]


def _children(web_xml: bytes) -> list[str]:
    root = etree.fromstring(web_xml)
    return [etree.QName(child).localname for child in root if isinstance(child.tag, str)]


def test_sample_splices_to_the_tutorial_descriptor(tmp_path: Path, schemas: SchemaCatalog) -> None:
    out = tmp_path / "MySessionTest.ear"
    report = splice(SAMPLE, PROPERTIES, output=out)
    assert report.written and report.changed
    assert [m.name for m in report.modules] == ["MySessionTestWeb"]
    assert report.modules[0].params == TUTORIAL_PARAMS
    web_xml = _web_xml_of(out, "MySessionTestWeb.war")
    root = etree.fromstring(web_xml)
    params = [(p.findtext(f"{NS}param-name"), p.findtext(f"{NS}param-value")) for p in root.iter(f"{NS}context-param")]
    assert params == TUTORIAL_PARAMS
    (mapping,) = root.iter(f"{NS}filter-mapping")
    assert [mapping.findtext(f"{NS}filter-name"), mapping.findtext(f"{NS}url-pattern"), mapping.findtext(f"{NS}dispatcher")] == [
        "HttpSessionFilter",
        "/*",
        "REQUEST",
    ]
    (filter_,) = root.iter(f"{NS}filter")
    assert filter_.findtext(f"{NS}filter-class") == "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
    assert filter_.findtext(f"{NS}description") == "Filter that provides for an ObjectGrid based Session Manager."
    (listener,) = root.iter(f"{NS}listener")
    assert listener.findtext(f"{NS}listener-class") == "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
    assert validate_webxml(web_xml, schemas) == []
    # Nothing else in the EAR changed, and the committed sample is untouched.
    before, after = read_tree(SAMPLE), read_tree(out)
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"MySessionTestWeb.war", "MySessionTestWeb.war!/WEB-INF/web.xml"}


def test_second_splice_changes_no_byte_and_does_not_rewrite(tmp_path: Path) -> None:
    out = tmp_path / "app.ear"
    splice(SAMPLE, PROPERTIES, output=out)
    first = out.read_bytes()
    os.utime(out, (1_000_000, 1_000_000))
    report = splice(out, PROPERTIES)
    assert not report.changed and not report.written
    assert out.read_bytes() == first
    assert out.stat().st_mtime == 1_000_000


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    splice(SAMPLE, PROPERTIES, output=tmp_path / "a.ear")
    splice(SAMPLE, PROPERTIES, output=tmp_path / "b.ear")
    assert (tmp_path / "a.ear").read_bytes() == (tmp_path / "b.ear").read_bytes()


def test_in_place_keeps_the_mode(tmp_path: Path) -> None:
    app = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, app)
    app.chmod(0o640)
    splice(app, PROPERTIES)
    assert app.stat().st_mode & 0o777 == 0o640
    assert b"HttpSessionFilter" in _web_xml_of(app, "MySessionTestWeb.war")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    app = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, app)
    report = splice(app, PROPERTIES, dry_run=True)
    assert report.changed and not report.written
    assert app.read_bytes() == SAMPLE.read_bytes()


def test_bare_war(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "shop.war", {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "WEB-INF/web.xml": WEB_25})
    report = splice(war, PROPERTIES)
    assert [(m.name, m.context_root, m.version) for m in report.modules] == [("shop", "/shop", "2.5")]
    assert _children(_web_xml_of(war))[:9] == ["display-name"] + ["context-param"] * 7 + ["filter"]
    assert list(zipfile.ZipFile(war).namelist())[0] == "META-INF/MANIFEST.MF"


def test_ear_without_application_xml_splices_every_top_level_war(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {"a.war": {"WEB-INF/web.xml": WEB_25}, "b.war": {"WEB-INF/web.xml": WEB_25}, "lib/x.jar": b"\x00not-a-real-jar"})
    report = splice(ear, PROPERTIES)
    assert [(m.name, m.context_root) for m in report.modules] == [("a", "/a"), ("b", "/b")]
    assert all(b"HttpSessionFilter" in _web_xml_of(ear, w) for w in ("a.war", "b.war"))


def test_unlisted_war_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    ear = write_zip(
        tmp_path / "app.ear",
        {
            "META-INF/application.xml": application_xml(("a.war", "alpha")),
            "a.war": {"WEB-INF/web.xml": WEB_25},
            "stray.war": {"WEB-INF/web.xml": WEB_25},
        },
    )
    report = splice(ear, PROPERTIES)
    assert [m.context_root for m in report.modules] == ["/alpha"]
    assert [(w.message_id, str(w.where)) for w in report.warnings if w.message_id == "CWWSM0501W"] == [
        ("CWWSM0501W", f"{ear}!/stray.war")
    ]
    assert b"HttpSessionFilter" not in _web_xml_of(ear, "stray.war")


def test_listed_but_missing_module_is_an_error(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("gone.war", "gone"))})
    before = ear.read_bytes()
    with pytest.raises(DescriptorError, match="'gone.war', which the archive does not contain") as info:
        splice(ear, PROPERTIES)
    assert info.value.exit_code == 3
    assert ear.read_bytes() == before


def test_war_without_web_xml_gets_a_minimal_descriptor(tmp_path: Path, schemas: SchemaCatalog) -> None:
    war = write_zip(tmp_path / "anno.war", {"WEB-INF/classes/App.class": b"\xca\xfe\xba\xbe"})
    report = splice(war, PROPERTIES)
    (module,) = report.modules
    assert module.created
    assert "CWWSM0502W" in [w.message_id for w in module.warnings]
    web_xml = _web_xml_of(war)
    assert b'metadata-complete="false"' in web_xml
    assert validate_webxml(web_xml, schemas) == []


def test_exploded_ear_with_zipped_and_exploded_wars(tmp_path: Path) -> None:
    app = write_dir(
        tmp_path / "app.ear",
        {
            "META-INF/application.xml": application_xml(("a.war", "a"), ("b.war", "b")),
            "a.war": {"WEB-INF/web.xml": WEB_25, "index.jsp": "hi"},
        },
    )
    write_zip(app / "b.war", {"WEB-INF/web.xml": WEB_25})
    splice(app, PROPERTIES)
    assert b"HttpSessionFilter" in (app / "a.war" / "WEB-INF" / "web.xml").read_bytes()
    assert b"HttpSessionFilter" in _web_xml_of(app / "b.war")
    assert (app / "a.war" / "index.jsp").read_text() == "hi"


def test_exploded_war_with_output_leaves_input(tmp_path: Path) -> None:
    app = write_dir(tmp_path / "shop.war", {"WEB-INF/web.xml": WEB_25})
    out = tmp_path / "out.war"
    splice(app, PROPERTIES, output=out)
    assert (app / "WEB-INF" / "web.xml").read_text() == WEB_25
    assert b"HttpSessionFilter" in (out / "WEB-INF" / "web.xml").read_bytes()


@pytest.mark.parametrize(
    ("make", "error"),
    [
        pytest.param(lambda p: p / "missing.ear", UsageError, id="missing-app"),
        pytest.param(lambda p: (p / "bad.ear").write_bytes(b"not a zip") and p / "bad.ear", ArchiveError, id="not-a-zip"),
    ],
)
def test_bad_apps(tmp_path: Path, make, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        splice(make(tmp_path), PROPERTIES)


def test_bad_properties_writes_nothing(tmp_path: Path) -> None:
    app = tmp_path / "app.ear"
    shutil.copyfile(SAMPLE, app)
    props = tmp_path / "s.properties"
    props.write_text("objectGridName=session\nreplicationInterval=ten\n")
    with pytest.raises(ConfigError) as info:
        splice(app, props)
    assert (info.value.key, info.value.where.line, info.value.exit_code) == ("replicationInterval", 2, 2)
    assert app.read_bytes() == SAMPLE.read_bytes()


def test_signed_module_is_refused_unless_stripped(tmp_path: Path) -> None:
    tree = {
        "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
        "META-INF/SIGNER.SF": "Signature-Version: 1.0\n",
        "META-INF/SIGNER.RSA": b"\x30\x82",
        "WEB-INF/web.xml": WEB_25,
    }
    war = write_zip(tmp_path / "signed.war", tree)
    before = war.read_bytes()
    with pytest.raises(SignedArchiveError, match="signed"):
        splice(war, PROPERTIES)
    assert war.read_bytes() == before
    splice(war, PROPERTIES, strip_signatures=True)
    names = zipfile.ZipFile(war).namelist()
    assert "META-INF/SIGNER.SF" not in names and "META-INF/SIGNER.RSA" not in names


def test_web_xml_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    """Regression: a `WEB-INF/web.xml/` folder entry was taken for a missing descriptor, and a
    second `WEB-INF/web.xml` was added beside it."""
    war = write_zip(tmp_path / "odd.war", {"WEB-INF/web.xml/": b"", "index.jsp": "x"})
    before = war.read_bytes()
    with pytest.raises(DescriptorError, match="is a directory") as info:
        splice(war, PROPERTIES)
    assert info.value.where.parts == (str(war), "WEB-INF/web.xml")
    assert war.read_bytes() == before


def test_declared_entities_are_named_before_their_use(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE web-app [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<web-app>&lol2;</web-app>\n'
    )
    war = write_zip(tmp_path / "laughs.war", {"WEB-INF/web.xml": laughs})
    with pytest.raises(HostileXmlError, match=r"declares entities \(lol, lol2\)"):
        splice(war, PROPERTIES)


@pytest.mark.parametrize(
    ("web_uri", "entry", "exploded"),
    [
        pytest.param("./shop.war", "shop.war", False, id="dot-slash"),
        pytest.param("web/shop.war", "web/shop.war", False, id="subfolder-zipped"),
        pytest.param("./web//shop.war", "web/shop.war", False, id="subfolder-dot-double-slash"),
        pytest.param("web/shop.war", "web/shop.war", True, id="subfolder-exploded-ear"),
    ],
)
def test_listed_web_uri_is_a_path_in_the_ear(tmp_path: Path, web_uri: str, entry: str, exploded: bool) -> None:
    """Regression: a web-uri of `./shop.war` or `web/shop.war` (a WAR in a subfolder of the
    EAR, which application.xml may name) was refused as "listed but not contained"."""
    tree = {"META-INF/application.xml": application_xml((web_uri, "shop")), entry: {"WEB-INF/web.xml": WEB_25}}
    if exploded:
        ear = write_dir(tmp_path / "app.ear", {"META-INF/application.xml": tree["META-INF/application.xml"]})
        (ear / entry).parent.mkdir(parents=True)
        write_zip(ear / entry, {"WEB-INF/web.xml": WEB_25})
        report = splice(ear, PROPERTIES)
        spliced = _web_xml_of(ear / entry)
    else:
        ear = write_zip(tmp_path / "app.ear", tree)
        report = splice(ear, PROPERTIES)
        spliced = _web_xml_of(ear, entry)
    assert [(m.name, m.context_root, m.changed) for m in report.modules] == [("shop", "/shop", True)]
    assert report.warnings == []
    assert b"HttpSessionFilter" in spliced


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        pytest.param("utf-16", "UTF-16", id="utf-16-with-bom"),
        pytest.param("utf-16-le", "UTF-16LE", id="utf-16le-no-bom"),
        pytest.param("utf-16-be", "UTF-16BE", id="utf-16be-no-bom"),
        pytest.param("utf-8-sig", "UTF-8", id="utf-8-with-bom"),
    ],
)
def test_diff_of_a_utf16_descriptor_is_text(tmp_path: Path, encoding: str, declared: str) -> None:
    """Regression: the --diff of a UTF-16 web.xml was its bytes read as UTF-8 (NULs and
    replacement characters), because the declaration was looked for as ASCII bytes."""
    web_xml = WEB_25.replace('encoding="UTF-8"', f'encoding="{declared}"')
    war = write_dir(tmp_path / "shop.war", {"WEB-INF/web.xml": web_xml.encode(encoding)})
    report = splice(war, PROPERTIES, dry_run=True)
    diff = report.modules[0].diff()
    assert "\x00" not in diff and "\ufffd" not in diff
    assert f' <?xml version="1.0" encoding="{declared}"?>\n' in diff
    assert "+        <param-name>objectGridName</param-name>\n" in diff


@pytest.mark.parametrize("inside", ["out.war", "WEB-INF/out.war"], ids=["top", "nested"])
def test_output_inside_an_exploded_input_is_a_usage_error(tmp_path: Path, inside: str) -> None:
    """Regression: `-o` inside an exploded application copied the tree into itself until
    the path was too long, and failed with a kilobytes-long "cannot write" message."""
    app = write_dir(tmp_path / "shop.war", {"WEB-INF/web.xml": WEB_25})
    with pytest.raises(UsageError, match=r"^CWWSM0100E: .*: -o lies inside the application directory") as info:
        splice(app, PROPERTIES, output=app / inside)
    assert (info.value.exit_code, info.value.where.parts) == (2, (str(app / inside),))
    assert sorted(p.relative_to(app).as_posix() for p in app.rglob("*")) == ["WEB-INF", "WEB-INF/web.xml"]
    assert (app / "WEB-INF" / "web.xml").read_text() == WEB_25


@pytest.mark.parametrize(
    "tree",
    [
        pytest.param({"index.html": "hi", "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}, id="static-content"),
        pytest.param({}, id="empty"),
    ],
)
def test_war_without_web_inf_is_a_war(tmp_path: Path, tree: dict[str, str]) -> None:
    """Regression: a .war with no WEB-INF/ at all (static content only) was taken for an EAR
    with no modules and reported "already spliced"; inside an EAR the same WAR got a
    descriptor.  It is a WAR without web.xml, and gets the minimal descriptor."""
    war = write_zip(tmp_path / "static.war", tree)  # type: ignore[arg-type]
    report = splice(war, PROPERTIES)
    assert [(m.name, m.created, m.changed) for m in report.modules] == [("static", True, True)]
    assert b"HttpSessionFilter" in _web_xml_of(war)
    assert sorted(zipfile.ZipFile(war).namelist()) == sorted([*tree, "WEB-INF/web.xml"])


def test_ear_without_modules_stays_an_ear(tmp_path: Path) -> None:
    """The rule above goes by the name only when the content says nothing: an .ear with
    neither WEB-INF/ nor WARs has no web module, and is left alone."""
    ear = write_zip(tmp_path / "app.ear", {"lib/x.jar": b"\x00"})
    before = ear.read_bytes()
    report = splice(ear, PROPERTIES, allow_empty=True)
    assert report.modules == [] and not report.written
    assert ear.read_bytes() == before


@pytest.mark.parametrize(
    "tree",
    [
        pytest.param({"lib/x.jar": b"\x00"}, id="no-application-xml"),
        pytest.param({"META-INF/application.xml": application_xml(), "e.jar": b"\x00"}, id="no-web-module-listed"),
    ],
)
def test_ear_without_web_modules_warns_instead_of_claiming_it_is_spliced(tmp_path: Path, tree: dict[str, object]) -> None:
    """Regression: an EAR with no web module (the wrong file, an EJB-only EAR) was reported
    "already spliced with these settings", with no warning; a build could not tell."""
    ear = write_zip(tmp_path / "app.ear", tree)  # type: ignore[arg-type]
    report = splice(ear, PROPERTIES, allow_empty=True)
    assert [(w.message_id, str(w.where)) for w in report.warnings] == [("CWWSM0503W", str(ear))]
    assert report.info_lines()[-2:] == [
        f"CWWSM0033I: {ear} has no web module to splice; it was not rewritten.",
        "CWWSM0030I: Application splicing has completed.",
    ]


@pytest.mark.parametrize("relative", [".", "..", "./"], ids=["dot", "dot-dot", "dot-slash"])
def test_exploded_war_named_by_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str) -> None:
    """Regression: `splice . props` inside shop.war/ named the module "" with context root
    "/", from the path as typed; a WAR folder without WEB-INF/ was not even taken for a WAR."""
    app = write_dir(tmp_path / "shop.war", {"index.html": "hi"})
    (app / "sub").mkdir()
    monkeypatch.chdir(app / "sub" if relative == ".." else app)
    report = splice(Path(relative), PROPERTIES, dry_run=True)
    assert [(m.name, m.context_root, m.created) for m in report.modules] == [("shop", "/shop", True)]
