"""One pass per archive (issue 10): the plan's reading kept for the write, nested WARs streamed."""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import Limits, open_app, reuse, write_app
from splicer.archives import writing as writing_module
from splicer.archives.reading import ZipAppReader

from .zipbuild import APP_XML, MANIFEST, E, contents, ear_entries, make_zip, war_entries

WriteFile = Callable[[str, bytes], Path]
NEW_XML = b'<?xml version="1.0"?>\n<web-app version="3.0"><display-name>new</display-name></web-app>\n'
TWO_WARS_APP_XML = APP_XML.replace(b"</application>", b"<module><web><web-uri>Two.war</web-uri>"
                                   b"<context-root>/t</context-root></web></module></application>")


@pytest.fixture()
def inflated(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each entry was inflated (or read) by any reader."""
    seen: Counter[str] = Counter()
    original = ZipAppReader._inflate

    def counting(self: ZipAppReader, entry: object, write: object, bound: int) -> None:
        seen[getattr(entry, "name")] += 1
        original(self, entry, write, bound)  # type: ignore[arg-type]

    monkeypatch.setattr(ZipAppReader, "_inflate", counting)
    return seen


def _ear(write_file: WriteFile, war_method: int = zipfile.ZIP_DEFLATED) -> Path:
    war = make_zip(war_entries(), descriptors=True)
    entries = ear_entries(war, war_method)
    entries["META-INF/application.xml"] = TWO_WARS_APP_XML
    entries["Two.war"] = E(make_zip(war_entries()), war_method)
    return write_file("app.ear", make_zip(entries))


def _spooled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the write through a spool, as before nested archives were streamed."""
    monkeypatch.setattr(writing_module, "_fits_32_bits", lambda inner, changes: False)


@pytest.mark.parametrize("war_method", [pytest.param(zipfile.ZIP_DEFLATED, id="deflated-wars"),
                                        pytest.param(zipfile.ZIP_STORED, id="stored-wars")])
def test_splice_inflates_each_war_once(write_file: WriteFile, inflated: Counter[str], war_method: int,
                                       tmp_path: Path) -> None:
    """Regression (issue 10): each changed WAR was inflated twice, for the plan and for the write."""
    from splicer import splice

    src = _ear(write_file, war_method)
    props = write_file("splicer.properties", b"objectGridName=session\n")
    report = splice(src, props, output=tmp_path / "out.ear")
    assert report.written and [m.changed for m in report.modules] == [True, True]
    if war_method == zipfile.ZIP_DEFLATED:
        assert inflated["Web.war"] == inflated["Two.war"] == 1
    else:
        assert "Web.war" not in inflated and "Two.war" not in inflated  # read in place
    spliced = contents((tmp_path / "out.ear").read_bytes())
    assert b"HttpSessionFilter" in contents(spliced["Web.war"])["WEB-INF/web.xml"]
    assert b"HttpSessionFilter" in contents(spliced["Two.war"])["WEB-INF/web.xml"]


@pytest.mark.parametrize("descriptors", [False, True], ids=["sizes-in-headers", "data-descriptors"])
@pytest.mark.parametrize("war_method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated-war", "stored-war"])
def test_streamed_war_is_byte_for_byte_the_spooled_one(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch,
                                                       war_method: int, descriptors: bool) -> None:
    """Streaming the rewritten WAR into its deflater gives the bytes the spool did."""
    war = make_zip({**war_entries(), "z/small.txt": b"s" * 100, "z/new-stamp.txt": b"t"}, descriptors=descriptors)
    src = write_file("app.ear", make_zip(ear_entries(war, war_method)))
    changes: writing_module.Changes = {"Web.war": {"WEB-INF/web.xml": NEW_XML, "WEB-INF/added.xml": b"<a/>" * 2000,
                                                   "index.jsp": None}}
    write_app(src, changes, src.with_name("streamed.ear"))
    _spooled(monkeypatch)
    write_app(src, changes, src.with_name("spooled.ear"))
    assert src.with_name("streamed.ear").read_bytes() == src.with_name("spooled.ear").read_bytes()
    new_war = contents(src.with_name("streamed.ear").read_bytes())["Web.war"]
    assert contents(new_war)["WEB-INF/web.xml"] == NEW_XML and "index.jsp" not in contents(new_war)


def test_streamed_war_needs_no_spool(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rewritten WAR goes straight into the output: no temporary copy of it, and (read
    by the plan first, in one ``reuse`` block) no second inflated copy either."""
    src = _ear(write_file)
    limits = Limits(spool_memory=1024)

    def no_spool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a spool was made while writing a nested WAR that can be streamed")

    with reuse():
        with open_app(src, limits) as reader, reader.nested("Web.war") as war:
            assert war.has("WEB-INF/web.xml")  # what the plan does
        monkeypatch.setattr(writing_module.tempfile, "SpooledTemporaryFile", no_spool)
        write_app(src, {"Web.war": {"WEB-INF/web.xml": NEW_XML}}, src.with_name("out.ear"), limits=limits)
    monkeypatch.undo()
    assert contents(contents(src.with_name("out.ear").read_bytes())["Web.war"])["WEB-INF/web.xml"] == NEW_XML


def test_war_in_an_ear_in_an_ear_is_written_as_before(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch,
                                                      zip_checker: Callable[[Path], str]) -> None:
    """Two levels down a WAR cannot be streamed (its header must come first): spooled there,
    and the bytes are those of the spool all the way."""
    inner_ear = make_zip(ear_entries(make_zip(war_entries())))
    src = write_file("outer.ear", make_zip({"META-INF/MANIFEST.MF": MANIFEST, "Inner.ear": inner_ear}))
    changes: writing_module.Changes = {"Inner.ear": {"Web.war": {"WEB-INF/web.xml": NEW_XML}}}
    write_app(src, changes, src.with_name("streamed.ear"))
    _spooled(monkeypatch)
    write_app(src, changes, src.with_name("spooled.ear"))
    streamed = src.with_name("streamed.ear").read_bytes()
    assert streamed == src.with_name("spooled.ear").read_bytes()
    war = contents(contents(contents(streamed)["Inner.ear"])["Web.war"])
    assert war["WEB-INF/web.xml"] == NEW_XML
    zip_checker(src.with_name("streamed.ear"))


def test_reuse_gives_one_reader_per_file_and_closes_it_at_the_end(write_file: WriteFile) -> None:
    src = _ear(write_file)
    with reuse():
        with open_app(src) as first:
            war = first.nested("Web.war")
            with war:
                assert war.has("WEB-INF/web.xml")
        with open_app(src) as second:
            assert second is first
            assert second.nested("Web.war") is war  # inflated once, kept
            assert war.read("WEB-INF/web.xml")
    assert isinstance(first, ZipAppReader) and first._owned is None  # closed with the block
    with open_app(src) as outside:
        assert outside is not first


def test_reuse_reads_a_changed_file_again(write_file: WriteFile) -> None:
    src = _ear(write_file)
    with reuse():
        with open_app(src) as first:
            assert first.has("Two.war")
        src.write_bytes(make_zip({"only.txt": b"x"}))
        with open_app(src) as second:
            assert second is not first and second.names() == ["only.txt"]


def test_kept_wars_in_memory_are_bounded(write_file: WriteFile, inflated: Counter[str]) -> None:
    """Past ``keep_memory`` a nested WAR is not kept: read again when asked again."""
    src = _ear(write_file)
    limits = Limits(keep_memory=0)
    with reuse():
        for _ in range(2):
            with open_app(src, limits) as reader, reader.nested("Web.war") as war:
                assert war.read("WEB-INF/web.xml")
    assert inflated["Web.war"] == 2
