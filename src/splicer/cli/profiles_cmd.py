"""`splicer profiles [NAME|PATH]`: the session managers splicer can splice, and their keys."""

from __future__ import annotations

import json

import click

from splicer.cli.boundary import echo, report_errors

EPILOG = """\b
Exit codes: 0 listed, 2 an unknown profile or a broken profile folder (the file and line)."""


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("profile", required=False, metavar="[NAME|PATH]")
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON.")
@report_errors(json_flag="as_json")
def profiles(profile: str | None, as_json: bool) -> None:
    """List the session-manager profiles with their keys (one profile, or a profile folder, when given)."""
    from splicer.profiles import Profile, resolve, shipped

    chosen: list[Profile] = [resolve(profile)] if profile is not None else list(shipped().values())
    if as_json:
        echo(json.dumps([_to_json(p) for p in chosen], indent=2))
        return
    for index, p in enumerate(chosen):
        if index:
            echo("")
        default = " (default)" if p.default else ""
        echo(f"{p.name}{default}: {p.title}")
        echo(f"  filter {p.filter_name}: {' / '.join(dict.fromkeys(p.filter_classes.all()))}"
             f"{', mapped first' if p.mapping_first else ''}; {'/'.join(p.families)}")
        for klass in dict.fromkeys(p.listener_classes(False) + p.listener_classes(True)):
            echo(f"  listener {klass}")
        for name, spec in p.keys.items():
            default_value = f" [default {spec.default}]" if spec.default is not None else ""
            echo(f"  {name} ({spec.goes}): {spec.summary}{default_value}")
            echo(f"      {spec.type.allowed}")


def _to_json(p: object) -> dict[str, object]:
    from splicer.profiles import Profile

    assert isinstance(p, Profile)
    return {
        "name": p.name, "title": p.title, "default": p.default, "folder": p.folder, "families": list(p.families),
        "filter": {"name": p.filter_name, "classes": list(dict.fromkeys(p.filter_classes.all())),
                   "first": p.mapping_first},
        "listeners": list(dict.fromkeys(p.listener_classes(False) + p.listener_classes(True))),
        "docs": list(p.docs),
        "keys": [{"name": name, "goes": spec.goes, "allowed": spec.type.allowed, "default": spec.default,
                  "doc": spec.summary} for name, spec in p.keys.items()],
    }
