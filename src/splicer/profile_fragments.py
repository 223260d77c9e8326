"""A profile's fragment templates (filter, mapping, listener): jinja2 text rendered into Nodes.

A template writes one element as markup; the engine keeps the layout (prefix, indentation,
line breaks, one-line forms) to itself, so a template's own whitespace between elements is
ignored and only the elements, their order and their text count.  Every ``{{ }}`` is
escaped for XML character data (a carriage return as ``&#13;``, which a parser would fold).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from splicer.errors import ConfigError, SplicerError, Where
from splicer.webxml.render import Node, escape
from splicer.xmlsafe import parse_xml

if TYPE_CHECKING:
    from importlib.abc import Traversable

    import jinja2

    from splicer.profiles import Profile

FRAGMENTS = ("filter", "mapping", "listener")
_ROOTS = {"filter": "filter", "mapping": "filter-mapping", "listener": "listener"}


def _file(kind: str) -> str:
    return f"{kind}.xml.j2"


def _finalize(value: object) -> str:
    return escape(str(value))


def _node(element: etree._Element, where: Where) -> Node:
    if element.attrib:
        raise ConfigError(f"<{element.tag}> has attributes, which a fragment cannot carry", where)
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return Node(etree.QName(element).localname, element.text or "")
    stray = [text for text in [element.text, *(child.tail for child in children)] if text and text.strip()]
    if stray:
        raise ConfigError(f"<{element.tag}> mixes text {stray[0].strip()!r} with elements", where)
    return Node(etree.QName(element).localname, tuple(_node(child, where) for child in children))


class Fragments:
    """The templates of one profile, by kind: read when loaded, compiled when first rendered
    (jinja2 is imported only by a splice that inserts something)."""

    def __init__(self, sources: Mapping[str, str], folder: str) -> None:
        self.sources, self.folder = sources, folder

    @functools.cached_property
    def templates(self) -> Mapping[str, jinja2.Template]:
        return _compile(self.sources, self.folder)

    def render(self, kind: str, context: Mapping[str, Any]) -> Node:
        """The element *kind* for *context*; ConfigError names the template and its line."""
        at = Where((f"{self.folder}/{_file(kind)}",))
        import jinja2

        try:
            text = self.templates[kind].render(**context)
        except jinja2.TemplateError as exc:
            line = _template_line(exc)
            raise ConfigError(f"the template failed: {exc}", at.at(line)) from None
        try:
            tree = parse_xml(text.strip().encode("utf-8"), at)
        except SplicerError as exc:
            raise ConfigError(f"the template does not give well-formed XML: {exc.reason}", at,
                              hint=f"it gave {text.strip()[:200]!r}") from None
        root = tree.getroot()
        if etree.QName(root).localname != _ROOTS[kind]:
            raise ConfigError(f"the template gives <{root.tag}>, not <{_ROOTS[kind]}>", at)
        return _node(root, at)

    def try_all(self, profile: Profile) -> None:
        """Render every template in each form it meets, so that a broken one fails when loaded."""
        for dtd in (True, False):
            for jakarta in (False, True):
                version = "2.3" if dtd else ("5.0" if jakarta else "3.0")
                init = [(name, spec.default or "x") for name, spec in profile.keys.items()
                        if spec.goes == "init-param"]
                context = fragment_context(profile, version, dtd, jakarta, init)
                self.render("filter", context)
                self.render("mapping", context)
                extra = [] if profile.root_context is None else [{"name": "", "class": profile.root_context.listener}]
                for listener in [*listener_contexts(profile, jakarta), *extra]:
                    self.render("listener", {**context, "listener": listener})


def _template_line(exc: jinja2.TemplateError) -> int | None:
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.lineno
    # A runtime error's line is in the traceback frame of the compiled template.
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".xml.j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def fragment_context(profile: Profile, version: str, dtd: bool, jakarta: bool,
                     init_params: list[tuple[str, str]]) -> dict[str, Any]:
    """What every template sees."""
    return {
        "dtd": dtd,
        "version": version,
        "jakarta": jakarta,
        "filter": {"name": profile.filter_name, "class": profile.filter_class(jakarta),
                   "description": profile.description},
        "init_params": init_params,
        "url_pattern": profile.url_pattern,
        "dispatchers": profile.dispatchers_for(version, dtd),
    }


def listener_contexts(profile: Profile, jakarta: bool) -> list[dict[str, str]]:
    return [{"name": li.name, "class": klass}
            for li, klass in zip(profile.listeners, profile.listener_classes(jakarta), strict=True)]


def load_fragments(folder: Path | Traversable) -> Fragments:
    """Read the folder's templates (compiled when first rendered)."""
    sources: dict[str, str] = {}
    for kind in FRAGMENTS:
        path = folder / _file(kind)
        if not path.is_file():
            raise ConfigError(f"the profile has no {_file(kind)}", Where((str(folder),)))
        sources[_file(kind)] = path.read_text("utf-8")
    return Fragments(sources, str(folder))


def _compile(sources: Mapping[str, str], folder: str) -> dict[str, jinja2.Template]:
    """Compile the templates; ConfigError with the file and line of a syntax error."""
    import jinja2

    # Named templates, so that a runtime error's traceback frame carries the file's name.
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, finalize=_finalize,
                             loader=jinja2.FunctionLoader(lambda name: (sources[name], name, lambda: True)))
    templates: dict[str, jinja2.Template] = {}
    for kind in FRAGMENTS:
        try:
            templates[kind] = env.get_template(_file(kind))
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"template syntax error: {exc.message}",
                              Where((f"{folder}/{_file(kind)}",), exc.lineno)) from None
    return templates
