"""The command line: ``splicer`` (a group of thin commands) and ``splice`` (the main job)."""

from __future__ import annotations

import importlib
import click

# Sub-commands are imported only when used, so `splice` starts fast and a command's
# dependencies (aiohttp for the emulator, say) cost nothing to the others.
# name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "splice": "splicer.cli.splice_cmd:splice",
    "plugin": "splicer.cli.plugin_cmd:plugin",
    "server": "splicer.cli.server_cmd:server",
    "verify": "splicer.cli.verify_cmd:verify",
    "grid": "splicer.cli.grid_cmd:grid",
    "validate": "splicer.cli.validate_cmd:validate",
    "inspect": "splicer.cli.inspect_cmd:inspect",
    "init": "splicer.cli.init_cmd:init",
}


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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="splicer")
def main() -> None:
    """splicer: splice eXtreme Scale session filters into Java web archives, and verify them."""


def splice_main() -> None:
    """Entry point of the stand-alone ``splice`` command."""
    from splicer.cli.splice_cmd import splice

    splice.main(prog_name="splice")
