"""The schema catalog: folders and jars of the container's own schemas, found by themselves."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import installed_schemas
from splicer.errors import UsageError
from splicer.webxml import validate_webxml
from splicer.webxml.catalog import SchemaCatalog, SchemaUnusable

JAVAEE_30 = b'<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"><display-name>x</display-name></web-app>'
BOGUS_30 = b'<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0">\n  <bogus/>\n</web-app>'


def write_jar(path: Path, catalog: SchemaCatalog, folder: str = "javax/servlet/resources/",
              skip: tuple[str, ...] = ()) -> Path:
    """A servlet-api-like jar holding every grammar file of *catalog* under *folder*."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        jar.writestr("javax/servlet/Servlet.class", b"\xca\xfe\xba\xbe")
        for name in sorted({name for source in catalog.sources for name in source.names} - set(skip)):
            source = catalog.source_of(name)  # the first source holding a name wins
            assert source is not None
            jar.writestr(folder + name, source.read(name))
    return path


def test_a_jar_serves_the_schemas_and_their_imports(schemas: SchemaCatalog, tmp_path: Path) -> None:
    jar = write_jar(tmp_path / "servlet-api.jar", schemas)
    catalog = SchemaCatalog.from_paths([jar])
    assert catalog.describe() == [str(jar)]
    assert validate_webxml(JAVAEE_30, catalog) == []
    assert validate_webxml(BOGUS_30, catalog)[0].startswith("line 2: Element 'bogus'")


def test_a_folder_of_jars_is_a_catalog(schemas: SchemaCatalog, tmp_path: Path) -> None:
    """--schemas $CATALINA_HOME/lib: the jars in the folder are read."""
    write_jar(tmp_path / "servlet-api.jar", schemas)
    (tmp_path / "catalina.jar").write_bytes(b"not read unless it has schemas")
    catalog = SchemaCatalog.from_paths([tmp_path])
    assert catalog.describe() == [str(tmp_path / "servlet-api.jar")]
    assert validate_webxml(JAVAEE_30, catalog) == []


def test_the_first_source_holding_a_name_wins(schemas: SchemaCatalog, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "web-app_3_0.xsd").write_text("<not-a-schema/>")
    good = write_jar(tmp_path / "good.jar", schemas)
    with pytest.raises(SchemaUnusable, match="web-app_3_0.xsd does not compile"):
        validate_webxml(JAVAEE_30, SchemaCatalog.from_paths([broken, good]))
    assert validate_webxml(JAVAEE_30, SchemaCatalog.from_paths([good, broken])) == []


def test_a_schema_imports_from_its_own_source_first(schemas: SchemaCatalog, tmp_path: Path) -> None:
    """web-app_3_0.xsd includes web-common_3_0.xsd: taken from the same jar, not an earlier folder."""
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "web-common_3_0.xsd").write_text("<broken")
    only = write_jar(tmp_path / "only.jar", schemas)
    catalog = SchemaCatalog.from_paths([decoy, only])
    assert catalog.source_of("web-app_3_0.xsd") is catalog.sources[1]
    assert validate_webxml(JAVAEE_30, catalog) == []


@pytest.mark.parametrize("kind", ["missing", "empty-folder", "empty-jar"])
def test_a_bad_schemas_path_is_a_usage_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind == "empty-folder":
        path.mkdir()
    elif kind == "empty-jar":
        with zipfile.ZipFile(path, "w") as jar:
            jar.writestr("a.txt", "nothing")
    with pytest.raises(UsageError) as caught:
        SchemaCatalog.from_paths([path])
    assert caught.value.where.parts == (str(path),)
    assert caught.value.exit_code == 2


def test_discovery_finds_servlet_api_jars_newest_first(schemas: SchemaCatalog, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "share"
    share.mkdir()
    write_jar(share / "tomcat9-servlet-api-9.0.70.jar", schemas)
    write_jar(share / "tomcat10-servlet-api-10.1.60.jar", schemas, folder="jakarta/servlet/resources/")
    (share / "tomcat10-servlet-api.jar").symlink_to("tomcat10-servlet-api-10.1.60.jar")  # Debian's alias
    write_jar(share / "unrelated-1.0.jar", schemas)
    home = tmp_path / "tomcat"
    (home / "lib").mkdir(parents=True)
    write_jar(home / "lib" / "servlet-api.jar", schemas)
    monkeypatch.setenv("CATALINA_HOME", str(home))
    found = SchemaCatalog.discover(["$CATALINA_HOME/lib", "$UNSET_SPLICER_VARIABLE/lib", str(share)])
    assert found.describe() == [
        str(home / "lib" / "servlet-api.jar"),
        str(share / "tomcat10-servlet-api-10.1.60.jar"),
        str(share / "tomcat9-servlet-api-9.0.70.jar"),
    ]
    assert validate_webxml(JAVAEE_30, found) == []


def test_discovery_with_nothing_installed_is_empty(tmp_path: Path) -> None:
    assert SchemaCatalog.discover([str(tmp_path)]).sources == []


def test_debian_tomcat_jars_are_found_by_themselves() -> None:
    catalog = installed_schemas()
    if not catalog.sources:
        pytest.skip("no Tomcat servlet-api jar here (apt-get install libtomcat10-java libtomcat9-java)")
    assert all("servlet-api" in Path(p).name for p in catalog.describe())
    assert validate_webxml(JAVAEE_30, catalog) == []
    dtd_23 = (b'<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
              b'"http://java.sun.com/dtd/web-app_2_3.dtd">\n<web-app><display-name>x</display-name></web-app>')
    assert validate_webxml(dtd_23, catalog) == []
