"""The ``splicer`` group: sub-commands imported only when used."""

from __future__ import annotations

import importlib

import click

from splicer.cli import COMMANDS


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

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
