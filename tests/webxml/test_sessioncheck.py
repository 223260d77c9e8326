"""Another session manager (CWWSM0550W) and a session mapping that misses requests (CWWSM0551W)."""

from __future__ import annotations

import pytest
from lxml import etree

from splicer.webxml import splice_webxml, validate_webxml
from splicer.webxml.catalog import SchemaCatalog
from splicer.webxml.sessioncheck import COVERAGE_WARNING, OTHER_MANAGER_WARNING

from .conftest import WHERE, assert_spliced, children, text

JAVAEE = 'xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"'
JAVAEE_30 = 'xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"'
DTD_23 = ('<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
          '"http://java.sun.com/dtd/web-app_2_3.dtd">\n')
PARAMS = [("objectGridName", "session")]
FILTER = ("  <filter>\n    <filter-name>HttpSessionFilter</filter-name>\n"
          "    <filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class>\n  </filter>\n")
LISTENER = ("  <listener>\n    <listener-class>com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
            "</listener-class>\n  </listener>\n")
PARAM = ("  <context-param>\n    <param-name>objectGridName</param-name>\n"
         "    <param-value>session</param-value>\n  </context-param>\n")


def ids(diagnostics: list[object]) -> list[str]:
    return [getattr(d, "message_id") for d in diagnostics]


# -- another session manager ---------------------------------------------------------------

def _filter(name: str, klass: str) -> str:
    return (f"  <filter>\n    <filter-name>{name}</filter-name>\n    <filter-class>{klass}</filter-class>\n"
            f"  </filter>\n  <filter-mapping>\n    <filter-name>{name}</filter-name>\n"
            "    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n")


def _listener(klass: str) -> str:
    return f"  <listener>\n    <listener-class>{klass}</listener-class>\n  </listener>\n"


@pytest.mark.parametrize(
    ("body", "who", "what"),
    [
        (_filter("springSessionRepositoryFilter", "org.springframework.web.filter.DelegatingFilterProxy"),
         "Spring Session", "the filter springSessionRepositoryFilter"),
        (_filter("sessionFilter", "org.springframework.session.web.http.SessionRepositoryFilter"),
         "Spring Session", "the filter sessionFilter"),
        (_filter("hazelcastWebFilter", "com.hazelcast.web.WebFilter"), "Hazelcast", "the filter hazelcastWebFilter"),
        (_listener("com.hazelcast.web.SessionListener"), "Hazelcast", "the listener com.hazelcast.web.SessionListener"),
        (_filter("IgniteWebSessionsFilter", "org.apache.ignite.cache.websession.WebSessionFilter"),
         "Apache Ignite", "the filter IgniteWebSessionsFilter"),
        (_filter("gemfire-session-filter", "org.apache.geode.modules.session.filter.SessionCachingFilter"),
         "Apache Geode", "the filter gemfire-session-filter"),
        (_listener("com.gemstone.gemfire.modules.session.filter.SessionListener"), "GemFire", "the listener"),
        (_filter("terracotta", "org.terracotta.session.TerracottaWebsphere70xSessionFilter"), "Terracotta",
         "the filter terracotta"),
    ],
    ids=["spring-delegating-proxy", "spring-repository-filter", "hazelcast-filter", "hazelcast-listener",
         "ignite", "geode", "gemfire-listener", "terracotta"],
)
def test_another_session_manager_is_named_and_splicing_proceeds(body: str, who: str, what: str) -> None:
    data = f'<?xml version="1.0" encoding="UTF-8"?>\n<web-app {JAVAEE}>\n{body}</web-app>\n'.encode()
    result = splice_webxml(data, PARAMS, WHERE)
    assert_spliced(result.output, PARAMS)
    [warning] = [w for w in result.warnings if w.message_id == OTHER_MANAGER_WARNING]
    assert f"another session manager, {who}: {what}" in warning.text
    assert warning.where == WHERE.at(3)  # the filter or listener's own line
    # Still said once the splice is done: the second manager is still there.
    again = splice_webxml(result.output, PARAMS, WHERE)
    assert (again.changed, ids(again.warnings)) == (False, [OTHER_MANAGER_WARNING])


@pytest.mark.parametrize(
    "body",
    [
        _filter("springSecurityFilterChain", "org.springframework.web.filter.DelegatingFilterProxy"),
        _filter("encoding", "org.springframework.web.filter.CharacterEncodingFilter"),
        _listener("org.springframework.web.context.ContextLoaderListener"),
        _filter("hazel", "com.hazelcastle.web.Filter"),
    ],
    ids=["spring-security-proxy", "spring-encoding", "spring-context", "lookalike-package"],
)
def test_other_filters_are_no_session_manager(body: str) -> None:
    data = f"<web-app {JAVAEE}>\n{body}</web-app>\n".encode()
    assert OTHER_MANAGER_WARNING not in ids(splice_webxml(data, PARAMS, WHERE).warnings)


# -- the session mapping reaches every request ---------------------------------------------

def _doc(head: str, mapping: str) -> bytes:
    return f"{head}{PARAM}{FILTER}{mapping}{LISTENER}</web-app>\n".encode()


HEAD_25 = f'<?xml version="1.0" encoding="UTF-8"?>\n<web-app {JAVAEE}>\n'
HEAD_30 = f'<?xml version="1.0" encoding="UTF-8"?>\n<web-app {JAVAEE_30}>\n'
HEAD_23 = f'<?xml version="1.0" encoding="UTF-8"?>\n{DTD_23}<web-app>\n'
M = "  <filter-mapping>\n    <filter-name>HttpSessionFilter</filter-name>\n{}  </filter-mapping>\n"


@pytest.mark.parametrize(
    ("head", "before", "after", "reached"),
    [
        (HEAD_25,
         M.format("    <servlet-name>Faces Servlet</servlet-name>\n"),
         M.format("    <url-pattern>/*</url-pattern>\n"),
         "servlet 'Faces Servlet'"),
        (HEAD_25,
         M.format("    <url-pattern>/app/*</url-pattern>\n    <dispatcher>REQUEST</dispatcher>\n"),
         M.format("    <url-pattern>/*</url-pattern>\n    <dispatcher>REQUEST</dispatcher>\n"),
         "url-pattern '/app/*'"),
        (HEAD_25,
         M.format("    <url-pattern>/*</url-pattern>\n    <dispatcher>FORWARD</dispatcher>\n"
                  "    <dispatcher>INCLUDE</dispatcher>\n"),
         M.format("    <url-pattern>/*</url-pattern>\n    <dispatcher>FORWARD</dispatcher>\n"
                  "    <dispatcher>INCLUDE</dispatcher>\n    <dispatcher>REQUEST</dispatcher>\n"),
         "url-pattern '/*' for the dispatchers FORWARD, INCLUDE (not REQUEST)"),
        (HEAD_30,
         M.format("    <url-pattern>/app/*</url-pattern>\n    <servlet-name>jsp</servlet-name>\n"
                  "    <url-pattern>*.do</url-pattern>\n"),
         M.format("    <url-pattern>/*</url-pattern>\n"),
         "url-pattern '/app/*', servlet 'jsp', url-pattern '*.do'"),
        (HEAD_23,
         M.format("    <servlet-name>action</servlet-name>\n"),
         M.format("    <url-pattern>/*</url-pattern>\n"),
         "servlet 'action'"),
        (HEAD_25,
         '  <filter-mapping><filter-name>HttpSessionFilter</filter-name><servlet-name>s</servlet-name>'
         '<dispatcher>ERROR</dispatcher></filter-mapping>\n',
         '  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern>'
         '<dispatcher>ERROR</dispatcher><dispatcher>REQUEST</dispatcher></filter-mapping>\n',
         "servlet 's' for the dispatchers ERROR (not REQUEST)"),
    ],
    ids=["servlet-name-only", "narrower-pattern", "no-request-dispatcher", "several-targets-3.0",
         "servlet-name-2.3", "one-line"],
)
def test_a_session_mapping_that_misses_requests_is_made_to_reach_them(
    head: str, before: str, after: str, reached: str, schemas: SchemaCatalog
) -> None:
    """Decision (README): the mapping becomes /* for REQUEST, and the warning says what it was."""
    result = splice_webxml(_doc(head, before), PARAMS, WHERE)
    assert result.output == _doc(head, after)
    # One target per mapping is all 2.3 and 2.4 allow: the output stays valid where the input was.
    assert validate_webxml(_doc(head, before), schemas) == validate_webxml(result.output, schemas) == []
    [warning] = [w for w in result.warnings if w.message_id == COVERAGE_WARNING]
    assert f"reached only {reached}, so JSPs and other requests got no replicated session" in warning.text
    assert warning.where.line == head.count("\n") + PARAM.count("\n") + FILTER.count("\n") + 1
    assert result.actions == ["make filter-mapping HttpSessionFilter reach every request: /* for REQUEST"]
    again = splice_webxml(result.output, PARAMS, WHERE)
    assert (again.changed, again.warnings) == (False, [])


def test_a_narrow_mapping_that_is_not_first_is_moved_and_widened() -> None:
    app = "  <filter-mapping>\n    <filter-name>app</filter-name>\n    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n"
    app_filter = "  <filter>\n    <filter-name>app</filter-name>\n    <filter-class>a.App</filter-class>\n  </filter>\n"
    ours = M.format("    <servlet-name>Faces Servlet</servlet-name>\n")
    data = f"{HEAD_25}{PARAM}{app_filter}{FILTER}{app}{ours}{LISTENER}</web-app>\n".encode()
    result = splice_webxml(data, PARAMS, WHERE)
    root = assert_spliced(result.output, PARAMS)
    first = children(root, "filter-mapping")[0]
    assert (text(first, "filter-name"), text(first, "url-pattern"), text(first, "servlet-name")) == (
        "HttpSessionFilter", "/*", None)
    assert splice_webxml(result.output, PARAMS, WHERE).changed is False


@pytest.mark.parametrize(
    "mapping",
    [
        M.format("    <url-pattern>/*</url-pattern>\n"),
        M.format("    <url-pattern>/*</url-pattern>\n    <dispatcher>REQUEST</dispatcher>\n"),
        M.format("    <url-pattern>/*</url-pattern>\n    <dispatcher>FORWARD</dispatcher>\n"
                 "    <dispatcher>REQUEST</dispatcher>\n"),
        M.format("    <servlet-name>jsp</servlet-name>\n    <url-pattern>/*</url-pattern>\n"),
    ],
    ids=["pattern", "request", "forward-and-request", "pattern-among-targets"],
)
def test_a_mapping_that_reaches_every_request_is_left_alone(mapping: str) -> None:
    data = _doc(HEAD_30, mapping)
    result = splice_webxml(data, PARAMS, WHERE)
    assert (result.changed, result.output, result.warnings) == (False, data, [])


def test_the_widened_mapping_is_what_the_server_reads() -> None:
    from splicer.webxml import read_descriptor

    result = splice_webxml(_doc(HEAD_25, M.format("    <servlet-name>Faces Servlet</servlet-name>\n")), PARAMS, WHERE)
    mapping = read_descriptor(result.output, WHERE).filter_mappings[0]
    assert (mapping.filter_name, mapping.url_patterns, mapping.servlet_names) == ("HttpSessionFilter", ("/*",), ())
    etree.fromstring(result.output)  # well-formed
