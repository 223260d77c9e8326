"""The command line: ``splicer`` (a group of thin commands) and ``splice`` (the main job).

This module is the console scripts' entry and imports nothing heavy: ``main`` and
``splice_main`` install the SIGINT/SIGTERM handlers first (``splicer.signals``), and only
then import click and the command, so a signal during start-up gives one line and exit 130,
not a KeyboardInterrupt traceback or a silent -15.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing costs milliseconds before the handlers are in place
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import NoReturn

    from splicer.signals import SignalExit

    import click

# Sub-commands are imported only when used, so `splice` starts fast and a command's
# dependencies (aiohttp for the emulator, say) cost nothing to the others.
# name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "splice": "splicer.cli.splice_cmd:splice",
    "unsplice": "splicer.cli.unsplice_cmd:unsplice",
    "plugin": "splicer.cli.plugin_cmd:plugin",
    "server": "splicer.cli.server_cmd:server",
    "verify": "splicer.cli.verify_cmd:verify",
    "grid": "splicer.cli.grid_cmd:grid",
    "validate": "splicer.cli.validate_cmd:validate",
    "inspect": "splicer.cli.inspect_cmd:inspect",
    "init": "splicer.cli.init_cmd:init",
    "migrate": "splicer.cli.migrate_cmd:migrate",
    "profiles": "splicer.cli.profiles_cmd:profiles",
}


class EntryPoint:
    """A console script: ``main()`` installs the signal handlers, then runs the click command.

    Any other attribute is the command's own, so ``CliRunner().invoke(main, ...)`` (which
    calls ``main.main(...)``) runs it in-process without touching the caller's handlers.
    """

    def __init__(self, target: str, prog_name: str, fast: str | None = None) -> None:
        self.target = target
        self.prog_name = prog_name
        self.fast = fast  # "module:function" that runs a plain command line without click

    def command(self) -> click.Command:
        module_name, attr = self.target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def __call__(self, args: Sequence[str] | None = None, prog_name: str | None = None) -> NoReturn:
        from splicer import signals

        signals.install()
        try:
            code = self._run(args, prog_name or self.prog_name)
        except signals.SignalExit as exc:  # in the instant between the command's end and here
            code = _interrupted(exc)
        signals.exiting()
        if args is None:  # the process is this command (a console script): nothing runs after it
            _exit_without_teardown(code)
        raise SystemExit(code)

    def _run(self, args: Sequence[str] | None, prog_name: str) -> int | str | None:
        from splicer import signals

        try:
            try:
                # A plain `splice` settles the temporary folder where it first needs one
                # (scratch.temp_dir: a no-op never imports tempfile); the others before anything
                # spools, so that tempfile makes no probe file for a SIGKILL to strand.
                if self.fast is not None and prog_name == self.prog_name and self._run_fast(args):
                    return 0
                from splicer.scratch import settle_temp_dir

                settle_temp_dir()
                self.command().main(args, prog_name=prog_name)
            except signals.SignalExit as exc:
                # Outside every command's boundary: importing, parsing the command line.
                return _interrupted(exc)
        except SystemExit as done:
            return done.code
        return 0

    def _run_fast(self, args: Sequence[str] | None) -> bool:
        import sys

        assert self.fast is not None
        module_name, attr = self.fast.split(":")
        run: Callable[[Sequence[str]], bool] = getattr(importlib.import_module(module_name), attr)
        return run(sys.argv[1:] if args is None else args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.command(), name)


def _exit_without_teardown(code: int | str | None) -> None:
    """End the process with *code* as ``SystemExit`` would, skipping the interpreter's teardown.

    The command is over: its files are closed (outputs synced, locks released by the kernel
    in any case), and what CPython has left to do is free every module and object one by
    one: 13 ms of the 135 ms a no-op `splice` takes, paid by every run of a build.  The
    atexit handlers still run and stdout and stderr are flushed, as at any exit.  Returns
    (and the usual exit follows) for a message as *code*, while another thread is alive
    (the teardown would wait for it) and when a stream cannot be flushed (a closed pipe:
    the usual exit reports it as it always does).
    """
    import atexit
    import os
    import sys

    threading = sys.modules.get("threading")
    if not (code is None or isinstance(code, int)) or (threading is not None and threading.active_count() > 1):
        return
    atexit._run_exitfuncs()  # runs them once: they are cleared, none runs again at a usual exit
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            return
    os._exit(code or 0)


def _interrupted(exc: SignalExit) -> int:
    """The one line of a signal outside every command's boundary, and its exit code."""
    import sys

    from splicer.errors import Interrupted
    from splicer.signals import name

    error = Interrupted(f"interrupted by {name(exc.signum)}")
    print(error.message(), file=sys.stderr, flush=True)
    return error.exit_code


main = EntryPoint("splicer.cli.group:splicer", "splicer")
# `splice` reads a plain command line without importing click (cli/fast.py): it starts in
# a fraction of the time, and a build runs it for every artifact.
splice_main = EntryPoint("splicer.cli.splice_cmd:splice", "splice", fast="splicer.cli.fast:splice")
