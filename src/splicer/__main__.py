"""``python -m splicer``: the same group as the ``splicer`` command."""

from splicer.cli import main

main(prog_name="splicer")
