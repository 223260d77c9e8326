"""What the paths of a splice are: an application (zip or folder), a bare web.xml, or neither."""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Literal

from splicer.errors import ArgumentOrderError, UsageError, Where

__all__ = ["Kind", "kind_of", "check_paths"]

Kind = Literal["folder", "archive", "descriptor", "other"]
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ARCHIVE_SUFFIXES = (".war", ".ear", ".jar", ".zip")
_XML_STARTS = (b"<", codecs.BOM_UTF8 + b"<", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<",
               codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, b"\x4c\x6f\xa7\x94")  # the last: EBCDIC "<?xm"


def kind_of(path: Path) -> Kind:
    """A folder (an exploded EAR or WAR), a zip archive (by its first bytes, else by its
    name), a descriptor (XML: a web.xml on its own), or other (a properties file, say)."""
    if path.is_dir():
        return "folder"
    if not path.is_file():
        return "other"  # a pipe (`<(render-settings)`) is read once, by whoever it is for
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError:
        head = b""
    if head.startswith(ZIP_MAGIC) or path.suffix.lower() in ARCHIVE_SUFFIXES:
        return "archive"
    if head.lstrip(b" \t\r\n").startswith(_XML_STARTS):
        return "descriptor"
    return "other"


def check_paths(app: Path, output: Path | None, properties: Path | None = None) -> Kind:
    """Refuse paths that cannot work, before anything is read; returns what APP is.

    Arguments given the other way round (``splice splicer.properties app.ear``) are said so,
    rather than reported as a properties file full of NUL bytes.
    """
    if not app.exists():
        raise UsageError("the application does not exist", Where((str(app),)))
    if not (app.is_file() or app.is_dir()):
        raise UsageError("the application is neither a file nor a directory", Where((str(app),)))
    kind = kind_of(app)
    if properties is not None and properties.exists():
        _check_order(app, kind, properties)
    if output is None:
        return kind
    if output.exists() and os.path.samefile(output, app):
        raise UsageError("-o names the input itself", Where((str(output),)), hint="leave out -o to rewrite in place")
    if properties is not None and output.exists() and properties.exists() and os.path.samefile(output, properties):
        # A typo here would overwrite the settings with an archive.
        raise UsageError("-o names the properties file", Where((str(output),)))
    if not output.parent.is_dir():
        raise UsageError("the output's folder does not exist", Where((str(output),)))
    if app.is_dir() and Path(os.path.realpath(output)).is_relative_to(os.path.realpath(app)):
        # The copy of the tree would contain the copy being made, without end.
        raise UsageError("-o lies inside the application directory", Where((str(output),)),
                         hint="write the output beside the application")
    if app.is_dir() != output.is_dir() and output.exists():
        raise UsageError("the output exists and is not of the input's kind", Where((str(output),)))
    return kind


def _check_order(app: Path, kind: Kind, properties: Path) -> None:
    given = kind_of(properties)
    if given == "other" or (given == "descriptor" and kind != "other"):
        return  # a properties file (or, beside a web.xml, whatever load_properties makes of it)
    what = {"folder": "a folder", "archive": "an archive", "descriptor": "an XML file"}[given]
    if kind == "other":
        raise ArgumentOrderError(
            f"the arguments are the other way round: APP is not an application, and PROPERTIES ({properties}) "
            f"is {what}", Where((str(app),)), hint="give APP first, then PROPERTIES",
        )
    raise ArgumentOrderError(f"PROPERTIES is {what}, not a splicer.properties file", Where((str(properties),)),
                             hint="give APP first, then PROPERTIES")
