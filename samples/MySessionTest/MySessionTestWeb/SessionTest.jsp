<%@ page language="java" contentType="text/html; charset=ISO-8859-1"
    pageEncoding="ISO-8859-1" import="java.util.Date" %>
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">
<meta name="GENERATOR" content="Rational Software Architect">
<title>IBM WAS Session Tester</title>
</head>
<%
    String data = request.getParameter("DATA");
    if (data != null && data.length() > 0) {
        session.setAttribute("DATA", data);
    }
%>
<body><p>Your session details:</p>
<table border="1">
  <tbody>
    <tr>
      <td>Session Id:</td>
      <td><%=session.getId() %></td>
    </tr>
    <tr>
      <td>Session creation date:</td>
      <td><%=new Date(session.getCreationTime())%></td>
    </tr>
    <tr>
      <td>Last time session accessed:</td>
      <td><%=new Date(session.getLastAccessedTime())%></td>
    </tr>
    <tr>
      <td>Server Name:</td>
      <td><%= com.ibm.websphere.runtime.ServerName.getFullName() %></td>
    </tr>
    <tr>
      <td>Any data:</td>
      <td><%= (session.getAttribute("DATA")!=null)?session.getAttribute("DATA"):"&nbsp;" %></td>
    </tr>
  </tbody>
</table>
<form method="post" action="SessionTest.jsp">
  <p>Enter some data to store in the session:</p>
  <input type="text" name="DATA" size="20">
  <input type="submit" value="Submit">
</form>
</body>
</html>
