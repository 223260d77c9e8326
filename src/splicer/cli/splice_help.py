"""The help text of `splice`, as click prints it on a terminal of 80 columns or more.

Printed by ``cli/fast.py`` without importing click.  Refresh it after changing splice's
options or texts: ``python -m splicer.cli.fast`` prints click's own, and a test compares them.
"""

HELP = """\
Usage: splice [OPTIONS] APP PROPERTIES

  Splice the eXtreme Scale session filter into every web module of APP.

  APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its
  own (src/main/webapp/WEB-INF/web.xml); PROPERTIES is a splicer.properties
  file. APP is rewritten in place, atomically, unless -o is given. --profile
  splices another session manager's filter instead (`splicer profiles` lists
  them); PROPERTIES then holds its keys.

Options:
  --version             Show the version and exit.
  -o, --output PATH     Write a new archive (or web.xml) here; APP is left
                        untouched.
  --dry-run             Write nothing; report what would change.
  --diff                Print a unified diff of every web.xml that would
                        change; write nothing.
  --check               Write nothing; print what would change and exit 1 if
                        anything would.
  --json                Print one machine-readable report on stdout.
  -q, --quiet           Print warnings and errors only.
  -v, --verbose         Also print each module's actions.
  --allow-unknown       Accept unknown keys in PROPERTIES, with a warning.
  --strip-signatures    Remove the signature of a signed module instead of
                        refusing it.
  --allow-name-clashes  Accept entries that are one file once deployed (WEB-
                        INF/web.xml and web-inf/web.xml); edit the one
                        extraction leaves instead of refusing.
  --allow-empty         Accept an APP with no web module (exit 0 with a
                        warning) instead of refusing it (exit 2).
  --strict              Refuse (exit 3) a descriptor with another session
                        manager, or whose session filter mapping does not
                        reach every request, instead of warning.
  --wait SECONDS        How long to wait for another splice of APP or OUT to
                        finish before giving up (exit 75).  [default: 10.0;
                        x>=0]
  --profile NAME|PATH   The session manager: a profile `splicer profiles`
                        lists, or a profile folder's path (default: wxs,
                        eXtreme Scale's).
  -h, --help            Show this message and exit.

  Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
  error (an APP with no web module too, unless --allow-empty), 3 the input cannot be
  spliced safely, or the output cannot be written, 75 another splice still held APP or OUT
  after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and --check never
  write. Whatever the exit, no half-written file is left: APP is as it was, or completely
  spliced."""
