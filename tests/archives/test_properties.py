"""Property: any archive rewritten with one change equals its input but for that change."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from splicer.archives import write_app

from .zipbuild import E, contents, make_zip, raw_records

# '..' segments are refused on reading (zip-slip), so names stay clear of them here.
names = st.from_regex(r"[A-Za-z0-9_\u00e9-]{1,6}(/[A-Za-z0-9_]{1,6}){0,2}(\.[a-z]{1,3})?", fullmatch=True)
entry_specs = st.tuples(
    st.binary(max_size=600) | st.text("ab \n", max_size=2000).map(str.encode),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
)


@settings(max_examples=40, deadline=None)
@given(
    entries=st.dictionaries(names, entry_specs, min_size=1, max_size=8),
    descriptors=st.booleans(),
    target=st.integers(min_value=0),
    new_data=st.binary(max_size=800),
    add_new=st.booleans(),
)
def test_one_change_changes_only_that_entry(entries: dict[str, tuple[bytes, int]], descriptors: bool,
                                            target: int, new_data: bytes, add_new: bool) -> None:
    source = make_zip({name: E(data, method) for name, (data, method) in entries.items()}, descriptors=descriptors)
    name = "WEB-INF/added.xml" if add_new and "WEB-INF/added.xml" not in entries else sorted(entries)[target % len(entries)]
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder, "in.zip"), Path(folder, "out.zip")
        src.write_bytes(source)
        write_app(src, {name: new_data}, out)
        result = out.read_bytes()
    assert contents(result) == {**contents(source), name: new_data}
    old, new = raw_records(source), raw_records(result)
    assert {n: r for n, r in old.items() if n != name} == {n: r for n, r in new.items() if n != name}
    with zipfile.ZipFile(io.BytesIO(result)) as zf:
        info = zf.getinfo(name)
        expected = entries[name][1] if name in entries else zipfile.ZIP_DEFLATED
        assert info.compress_type == expected
