"""`splice --profile`, `unsplice --profile`, `splicer migrate` and `splicer profiles` (issue 11)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO
from splicer.cli.group import splicer as group

SAMPLES = REPO / "samples"
SAMPLE_EAR = SAMPLES / "MySessionTest.ear"
SAMPLE_WEBXML = SAMPLES / "MySessionTest" / "MySessionTestWeb" / "WEB-INF" / "web.xml"
IGNITE_FILTER = b"""    <filter>
        <filter-name>IgniteWebSessionsFilter</filter-name>
        <filter-class>org.apache.ignite.cache.websession.WebSessionFilter</filter-class>
    </filter>
"""


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_migrating_the_spliced_sample_gives_what_splicing_the_other_profile_gives(tmp_path: Path) -> None:
    """The issue's criterion: migrate(splice_wxs(sample)) == splice_hazelcast(sample), byte for byte."""
    wxs, migrated, direct = tmp_path / "wxs.ear", tmp_path / "migrated.ear", tmp_path / "hazelcast.ear"
    assert cli("splice", str(SAMPLE_EAR), str(SAMPLES / "splicer.properties"), "-o", str(wxs))[0] == 0
    code, out, _ = cli("migrate", str(wxs), str(SAMPLES / "hazelcast.properties"), "--from", "wxs", "--to",
                       "hazelcast", "-o", str(migrated), "-v")
    assert code == 0, out
    assert "remove filter HttpSessionFilter" in out  # regression: the filter was named after the last key
    assert "CWWSM0041I: Application migration has completed." in out
    assert cli("splice", "--profile", "hazelcast", str(SAMPLE_EAR), str(SAMPLES / "hazelcast.properties"),
               "-o", str(direct))[0] == 0
    assert migrated.read_bytes() == direct.read_bytes()
    # And once more changes nothing.
    code, out, _ = cli("migrate", str(migrated), str(SAMPLES / "hazelcast.properties"), "--from", "wxs",
                       "--to", "hazelcast", "--check")
    assert (code, "CWWSM0042I" in out) == (0, True)


def test_every_profile_comes_back_out_of_a_bare_web_xml(tmp_path: Path) -> None:
    for name in ("hazelcast", "spring-session", "ignite"):
        target = tmp_path / f"{name}.xml"
        shutil.copyfile(SAMPLE_WEBXML, target)
        assert cli("splice", "--profile", name, str(target), str(SAMPLES / f"{name}.properties"))[0] == 0
        assert target.read_bytes() != SAMPLE_WEBXML.read_bytes()
        assert cli("unsplice", "--profile", name, str(target))[0] == 0
        assert target.read_bytes() == SAMPLE_WEBXML.read_bytes(), name


def test_a_migration_that_would_leave_two_session_managers_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "web.xml"
    shutil.copyfile(SAMPLE_WEBXML, target)
    assert cli("splice", str(target), str(SAMPLES / "splicer.properties"))[0] == 0
    text = target.read_bytes()
    mixed = text.replace(b"    <welcome-file-list>", IGNITE_FILTER + b"    <welcome-file-list>")
    target.write_bytes(mixed)
    code, _, err = cli("migrate", str(target), str(SAMPLES / "hazelcast.properties"), "--from", "wxs", "--to",
                       "hazelcast")
    assert code == 3
    assert "CWWSM0303E" in err and "two session managers" in err and "Apache Ignite" in err
    assert target.read_bytes() == mixed


def test_migrate_from_a_profile_to_itself_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = cli("migrate", str(SAMPLE_EAR), str(SAMPLES / "splicer.properties"), "--from", "wxs", "--to",
                       "wxs", "--dry-run")
    assert code == 2 and "CWWSM0101E" in err


def test_a_key_of_another_profile_is_unknown_to_this_one(tmp_path: Path) -> None:
    code, _, err = cli("splice", "--profile", "hazelcast", str(SAMPLE_EAR), str(SAMPLES / "splicer.properties"),
                       "--dry-run")
    assert code == 2 and "unknown key" in err


def test_a_users_profile_folder_splices_and_a_broken_one_says_where(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(REPO / "templates" / "profiles" / "hazelcast", folder)
    target = tmp_path / "web.xml"
    shutil.copyfile(SAMPLE_WEBXML, target)
    assert cli("splice", "--profile", str(folder), str(target), str(SAMPLES / "hazelcast.properties"))[0] == 0
    assert b"com.hazelcast.web.WebFilter" in target.read_bytes()
    manifest = folder / "profile.toml"
    manifest.write_text(manifest.read_text("utf-8").replace("first = true", "first = true\ncolour = 1"), "utf-8")
    code, _, err = cli("splice", "--profile", str(folder), str(target), str(SAMPLES / "hazelcast.properties"))
    line = manifest.read_text("utf-8").splitlines().index("colour = 1") + 1
    assert code == 2
    assert f"{manifest}:{line}: unknown field 'colour' in [filter]" in err


def test_splicer_profiles_lists_every_profile_and_its_keys() -> None:
    code, out, _ = cli("profiles")
    assert code == 0
    for name in ("wxs (default)", "hazelcast", "spring-session", "ignite"):
        assert any(line.startswith(name) for line in out.splitlines()), name
    assert "  map-name (init-param): " in out and "  objectGridType (context-param): " in out
    code, out, _ = cli("profiles", "hazelcast", "--json")
    (listed,) = json.loads(out)
    assert listed["filter"]["classes"] == ["com.hazelcast.web.WebFilter"]
    assert "session-ttl-seconds" in [key["name"] for key in listed["keys"]]
    code, _, err = cli("profiles", "nosuch")
    assert code == 2 and "known profiles: wxs" in err


def _session_findings(path: Path) -> list[tuple[str, str]]:
    from splicer.validating import validate
    from splicer.webxml.catalog import SchemaCatalog

    report = validate([path], catalog=SchemaCatalog([]))
    return [(f.code, f.message) for f in report.findings if f.code.startswith("WX3")]


def test_validate_and_inspect_know_the_profile_the_descriptor_has(tmp_path: Path) -> None:
    """Its filter first, its listener present, its values typed: by the profile whose filter it is."""
    from splicer.inspecting import inspect

    target = tmp_path / "web.xml"
    shutil.copyfile(SAMPLE_WEBXML, target)
    assert cli("splice", "--profile", "hazelcast", str(target), str(SAMPLES / "hazelcast.properties"))[0] == 0
    assert _session_findings(target) == []
    text = target.read_text("utf-8")
    broken = (text.replace("<param-value>false</param-value>", "<param-value>nope</param-value>", 1)
              .replace("        <listener-class>com.hazelcast.web.SessionListener</listener-class>\n", ""))
    target.write_text(broken, "utf-8")
    found = _session_findings(target)
    assert ("WX303", "the session listener com.hazelcast.web.SessionListener is missing") in found
    assert any(code == "WX304" and message.startswith("the init-param sticky-session='nope': not a boolean")
               for code, message in found), found
    war = tmp_path / "app"
    (war / "WEB-INF").mkdir(parents=True)
    shutil.copyfile(SAMPLE_WEBXML, war / "WEB-INF" / "web.xml")
    assert cli("splice", "--profile", "ignite", str(war), str(SAMPLES / "ignite.properties"))[0] == 0
    (module,) = inspect(war).to_json()["modules"]  # type: ignore[index]
    assert module["session"]["profile"] == "ignite"
    assert module["session"]["listener"] is True and module["session"]["mapping_first"] is True
    assert [s["name"] for s in module["session"]["settings"]] == ["IgniteConfigurationFilePath",
                                                                  "IgniteWebSessionsCacheName"]


def test_spring_session_adds_its_root_context_only_where_the_application_has_none(tmp_path: Path) -> None:
    from splicer.errors import Where
    from splicer.profiles import resolve
    from splicer.webxml import splice_webxml
    from splicer.webxml.unsplice import unsplice_webxml

    profile, where = resolve("spring-session"), Where(("web.xml",))
    bare = SAMPLE_WEBXML.read_bytes()
    spliced = splice_webxml(bare, [], where, profile)
    assert "add listener org.springframework.web.context.ContextLoaderListener" in spliced.actions
    assert b"<param-value>/WEB-INF/spring/session.xml</param-value>" in spliced.output
    assert splice_webxml(spliced.output, [], where, profile).changed is False
    assert unsplice_webxml(spliced.output, None, where, profile).output == bare
    own = bare.replace(b"    <welcome-file-list>", b"    <listener>\n        <listener-class>org.springframework.web."
                       b"context.ContextLoaderListener</listener-class>\n    </listener>\n    <welcome-file-list>")
    mine = splice_webxml(own, [], where, profile)
    assert mine.output.count(b"ContextLoaderListener") == 1 and b"contextConfigLocation" not in mine.output
    assert unsplice_webxml(mine.output, None, where, profile).output == own
