"""The emulated WebSphere Application Server: deploy web modules, sessions, cookies, HTTP."""
