"""The tutorial's application built in code: MySessionTest.ear with a spliced MySessionTestWeb.war."""

from __future__ import annotations

from pathlib import Path

from appbuild import application_xml, write_zip  # tests/appbuild.py, on sys.path as the tests root

SESSION_TEST_JSP = """<%@ page session="true" import="java.util.Date" %>
<html><body><p>Your session details:</p>
<table border="1"><tbody>
<tr><td>Session Id:</td><td><%=session.getId() %></td></tr>
<tr><td>Any data:</td><td><%= (session.getAttribute("DATA")!=null)?session.getAttribute("DATA"):"&nbsp;" %></td></tr>
</tbody></table></body></html>
"""

# The shape addObjectGridFilter gave the tutorial's web.xml (its lines 22-46), written literally.
SPLICED_WEB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
  <display-name>MySessionTestWeb</display-name>
{params}  <filter>
    <description>Filter that provides for an ObjectGrid based Session Manager.</description>
    <display-name>HttpSessionFilter</display-name>
    <filter-name>HttpSessionFilter</filter-name>
    <filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class>
  </filter>
  <filter-mapping>
    <filter-name>HttpSessionFilter</filter-name>
    <url-pattern>*</url-pattern>
    <dispatcher>REQUEST</dispatcher>
  </filter-mapping>
  <listener>
    <description>IBMSessionListener</description>
    <display-name>IBMSessionListener</display-name>
    <listener-class>com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener</listener-class>
  </listener>
  <welcome-file-list><welcome-file>SessionTest.jsp</welcome-file></welcome-file-list>
</web-app>
"""

PLAIN_WEB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
  <display-name>Plain</display-name>
  <session-config><session-timeout>20</session-timeout></session-config>
</web-app>
"""

TUTORIAL_PARAMS = {
    "securityEnabled": "false",
    "fragmentedSession": "true",
    "sessionTableSize": "1000",
    "objectGridType": "REMOTE",
    "reuseSessionId": "true",
    "replicationInterval": "10",
    "objectGridName": "session",
}


def spliced_web_xml(params: dict[str, str]) -> str:
    body = "".join(
        f"  <context-param>\n    <param-name>{k}</param-name>\n    <param-value>{v}</param-value>\n  </context-param>\n"
        for k, v in params.items()
    )
    return SPLICED_WEB_XML.format(params=body)


def session_war(web_xml: str) -> dict[str, str | bytes]:
    return {
        "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
        "WEB-INF/web.xml": web_xml,
        "SessionTest.jsp": SESSION_TEST_JSP,
        "images/logo.txt": "logo",
    }


def build_ear(path: Path, params: dict[str, str] | None = None, *, plain_module: bool = False) -> Path:
    """MySessionTest.ear: the spliced MySessionTestWeb.war (with *params* as context-params,
    tutorial values by default) and, when asked, a second module that was never spliced."""
    modules = [("MySessionTestWeb.war", "MySessionTestWeb")]
    tree: dict[str, object] = {"MySessionTestWeb.war": session_war(spliced_web_xml(params or TUTORIAL_PARAMS))}
    if plain_module:
        modules.append(("Plain.war", "plain"))
        tree["Plain.war"] = session_war(PLAIN_WEB_XML)
    tree = {"META-INF/application.xml": application_xml(*modules), **tree}
    return write_zip(path, tree)  # type: ignore[arg-type]
