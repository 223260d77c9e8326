"""The ``splicer`` group: sub-commands imported only when used."""

from __future__ import annotations

import importlib

import click

from splicer.cli import COMMANDS


# The first paragraph of each command's help: `splicer --help` shows a line of each without
# importing them (the emulator's bring asyncio and aiohttp, some 100 ms).  A test holds
# these to the commands' own.
SUMMARIES = {
    "grid": "The session grid: catalog and container servers, and xscmd/xsadmin-style queries.",
    "init": "Write the commented sample splicer.properties to PATH (default: ./splicer.properties; "
            "'-' prints it). The tutorial's seven settings are on; every other key is commented.",
    "inspect": "Show each web module of APP: context root, descriptor version and namespace, the "
               "session filter (present, mapped first), its listener and settings, signatures, warnings.",
    "migrate": "Replace one session manager with another in every web module of APP.",
    "plugin": "The web server plug-in: generate, merge and serve plugin-cfg.xml.",
    "profiles": "List the session-manager profiles with their keys (one profile, or a profile folder, when given).",
    "server": "Deploy APP's web modules and serve them like WebSphere server NAME.",
    "splice": "Splice the eXtreme Scale session filter into every web module of APP.",
    "unsplice": "Remove what splice adds from every web module of APP.",
    "validate": "Validate web.xml, web-fragment.xml and application.xml files, and WARs and EARs.",
    "verify": "Check that APP's sessions survive the loss of a server.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, as click.Group writes them, from SUMMARIES."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.summary(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def summary(self, name: str, limit: int) -> str:
        summary = SUMMARIES.get(name)
        if summary is None:  # a command without a summary here: ask it
            command = self.get_command(click.Context(self), name)
            return "" if command is None else command.get_short_help_str(limit)
        # A stand-in with the command's help shortens it as click would the command's own.
        return click.Command(name, help=summary).get_short_help_str(limit)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(name="splicer", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="splicer")
def splicer() -> None:
    """splicer: splice eXtreme Scale session filters into Java web archives, and verify them."""
