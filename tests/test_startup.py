"""Start-up (issue 10): what `splice` and `splicer` import, and splice's path without click.

The times are in benchmarks/bench_splice.py; here, what is imported (a module not imported
costs nothing) and that the click-free path of `splice` means what click's does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from splicer.cli import fast, splice_cmd
from splicer.cli.run_options import RunOptions
from splicer.cli.splice_cmd import splice as splice_command
from splicer.cli.splice_help import HELP

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"
HEAVY = ("click", "urllib.request", "http.client", "ssl", "email", "asyncio", "aiohttp", "javaproperties")


def _imported(code: str, *, env: dict[str, str] | None = None) -> set[str]:
    """The modules of HEAVY that running *code* in a fresh interpreter imported."""
    probe = ("import atexit, sys\n"
             f"atexit.register(lambda: print('IMPORTED', *[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr))\n"
             + code)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "100", **(env or {})})
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED")]
    assert line, done.stderr
    return set(line[-1].split()[1:])


def test_help_is_clicks_help() -> None:
    ctx = click.Context(splice_command, info_name="splice", terminal_width=fast.HELP_WIDTH,
                        **splice_command.context_settings)
    assert HELP == splice_command.get_help(ctx), (
        "splicer/cli/splice_help.py is out of date: refresh it from `python -m splicer.cli.fast`")


def test_fast_options_are_the_click_commands() -> None:
    """Every option of the click command is in fast's table under the same parameter, and
    the other way round; flags are flags, options with a value take one."""
    options = [p for p in splice_command.params if isinstance(p, click.Option) and p.name not in ("help", "version")]
    for option in options:
        table = fast.FLAGS if option.is_flag else fast.VALUES
        for spelling in option.opts:
            assert table.get(spelling) == option.name, spelling
    spellings = {s for o in options for s in o.opts}
    assert set(fast.FLAGS) | set(fast.VALUES) == spellings
    (wait,) = [o for o in options if o.name == "wait"]
    assert wait.default == RunOptions().wait


@pytest.mark.parametrize("args", [
    ["app.ear", "s.properties"],
    ["app.ear", "s.properties", "-o", "out.ear"],
    ["-oout.ear", "app.ear", "s.properties"],
    ["--output=out.ear", "app.ear", "s.properties", "-q"],
    ["app.ear", "--wait", "2.5", "s.properties", "--strict", "--allow-empty"],
    ["--wait=0", "--dry-run", "--diff", "--check", "--json", "app.ear", "s.properties"],
    ["-v", "--allow-unknown", "--strip-signatures", "--allow-name-clashes", "app.ear", "s.properties"],
    ["--wait", "1e1", "app.ear", "s.properties"],
    ["--profile", "hazelcast", "app.ear", "s.properties"],
    ["app.ear", "s.properties", "--profile=profiles/mine"],
])
def test_fast_reads_a_command_line_as_click_does(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """What fast hands to splice_run.run is what the click command hands it: APP, PROPERTIES
    and the same RunOptions."""
    parsed = fast._parse(args)
    assert parsed is not None
    given: list[tuple[Path, Path, RunOptions]] = []
    monkeypatch.setattr(splice_cmd, "run", lambda app, properties, *, options: given.append((app, properties, options)))
    splice_command.main(list(args), prog_name="splice", standalone_mode=False)
    assert given == [parsed]


@pytest.mark.parametrize("args", [
    ["app.ear"], ["a", "b", "c"], ["-qv", "a", "b"], ["--version"], ["a", "b", "--help"], ["--", "a", "b"],
    ["a", "b", "--wait", "-1"], ["a", "b", "--wait", "soon"], ["a", "b", "--wait", "inf"], ["a", "b", "-o"],
    ["a", "b", "-o", "x", "-o", "y"], ["a", "b", "--dry-run=yes"], ["a", "b", "--no-such"], ["-", "b"], ["", "b"],
    ["a", "b", "-q", "-q"], ["a", "b", "-o", "-x"],
])
def test_fast_leaves_the_rest_to_click(args: list[str]) -> None:
    assert fast._parse(args) is None


def test_splice_help_imports_no_click() -> None:
    assert _imported("from splicer.cli import splice_main\nsplice_main(['--help'])") == set()


def test_narrow_terminal_help_is_clicks() -> None:
    """Below 80 columns click wraps the text to the terminal: click prints it then."""
    done = subprocess.run([sys.executable, "-c", "from splicer.cli import splice_main; splice_main(['--help'])"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "60"})
    assert done.returncode == 0 and done.stdout != HELP + "\n" and "Usage: splice [OPTIONS] APP PROPERTIES" in done.stdout


def test_splice_imports_neither_click_nor_a_network_stack(tmp_path: Path) -> None:
    """Regression (issue 10): `splice` imported click (~30 ms) and, through javaproperties'
    package, urllib.request, http.client and ssl (~70 ms) to read a properties file."""
    out = tmp_path / "out.ear"
    code = f"from splicer.cli import splice_main\nsplice_main([{str(SAMPLE)!r}, {str(PROPERTIES)!r}, '-o', {str(out)!r}, '-q'])"
    assert _imported(code) == set()
    assert out.exists()
    # And spliced already: nothing to do, still nothing heavy.
    code = f"from splicer.cli import splice_main\nsplice_main([{str(out)!r}, {str(PROPERTIES)!r}, '-q'])"
    assert _imported(code) == set()


def test_a_no_op_splice_imports_no_tempfile(tmp_path: Path) -> None:
    """A splice that writes no temporary file imports neither tempfile nor shutil (random,
    bz2, lzma with them: ~4 ms); the engine settles the temporary folder where it needs one."""
    out = tmp_path / "out.ear"
    subprocess.run([sys.executable, "-c", f"from splicer.cli import splice_main\nsplice_main([{str(SAMPLE)!r}, "
                    f"{str(PROPERTIES)!r}, '-o', {str(out)!r}, '-q'])"], check=True, timeout=60)
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('IMPORTED', 'tempfile' in sys.modules, 'shutil' in sys.modules, file=sys.stderr))\n"
             f"from splicer.cli import splice_main\nsplice_main([{str(out)!r}, {str(PROPERTIES)!r}, '-q'])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "IMPORTED False False" in done.stderr, done.stderr


# Run at exit: every frozen dataclass of the splicer modules loaded, and how many of those there are.
_FROZEN_PROBE = """import atexit, sys
def _report():
    loaded = {name: module for name, module in list(sys.modules.items())
              if module is not None and (name == "splicer" or name.startswith("splicer."))}
    frozen = [f"{name}.{key}" for name, module in loaded.items() for key, value in vars(module).items()
              if isinstance(value, type) and value.__module__ == name
              and getattr(getattr(value, "__dataclass_params__", None), "frozen", False)]
    print("LOADED", len(loaded), "FROZEN", *sorted(frozen), file=sys.stderr)
atexit.register(_report)
"""


def test_a_splice_defines_no_frozen_dataclass(tmp_path: Path) -> None:
    """Regression (issue 10): a no-op splice defined 32 frozen dataclasses at import, ~0.56 ms
    each (six methods compiled from source), ~15 ms measured; its records are NamedTuples
    (docs/architecture.md).  Both the splice that writes and the no-op one."""
    out = tmp_path / "out.ear"
    for app, extra in ((SAMPLE, ["-o", str(out)]), (out, [])):
        args = [str(app), str(PROPERTIES), *extra, "-q"]
        done = subprocess.run([sys.executable, "-c", _FROZEN_PROBE + f"from splicer.cli import splice_main\nsplice_main({args!r})"],
                              capture_output=True, text=True, timeout=60)
        line = [x for x in done.stderr.splitlines() if x.startswith("LOADED")]
        assert done.returncode == 0 and line, done.stderr
        _, loaded, _, *frozen = line[-1].split()
        assert int(loaded) > 20, line  # the probe saw the splice's modules
        assert frozen == [], f"{app.name}: frozen dataclasses on the splice path, make them NamedTuples: {frozen}"
    assert out.exists()


def test_splicer_help_imports_no_emulator() -> None:
    """Regression (issue 10): `splicer --help` imported every command, asyncio and aiohttp
    with the emulator's, to print one line of help for each."""
    imported = _imported("from splicer.cli import main\nmain(['--help'])")
    assert not imported & {"asyncio", "aiohttp", "urllib.request", "ssl"}


@pytest.mark.parametrize("limit", [20, 45, 57, 74])
def test_splicer_help_summaries_are_the_commands_own(limit: int) -> None:
    """`splicer --help` shows each command's line from a table: the line click makes from
    the command itself, at any width."""
    from splicer.cli import COMMANDS
    from splicer.cli.group import SUMMARIES, splicer

    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(splicer)
    for name in COMMANDS:
        command = click.Group.get_command(splicer, ctx, name) or splicer.get_command(ctx, name)
        assert command is not None
        assert splicer.summary(name, limit) == command.get_short_help_str(limit), name


def _script(name: str) -> Path:
    script = Path(sys.executable).parent / name
    if not script.exists():
        pytest.skip(f"the console script {name} is not installed beside {sys.executable} (pip install -e . makes it)")
    return script


@pytest.mark.parametrize("case", ["splice", "no-op", "diff", "bad-input", "usage"])
def test_console_script_ends_as_a_normal_exit_would(case: str, tmp_path: Path) -> None:
    """The console scripts skip the interpreter's teardown (cli/__init__.py): same output,
    every byte of it through a pipe, same exit code and stderr as the same command run
    in-process (``splice_main(args)``, which exits the usual way)."""
    out = tmp_path / "out.ear"
    args = {"splice": [str(SAMPLE), str(PROPERTIES), "-o", str(out)],
            "no-op": [str(out), str(PROPERTIES)],
            "diff": [str(SAMPLE), str(PROPERTIES), "--diff"],  # far more than a pipe's buffer
            "bad-input": [str(tmp_path / "corrupt.ear"), str(PROPERTIES)],
            "usage": [str(SAMPLE)]}[case]
    (tmp_path / "corrupt.ear").write_bytes(b"PK\x03\x04 not an archive")
    if case == "no-op":
        subprocess.run([str(_script("splice")), str(SAMPLE), str(PROPERTIES), "-o", str(out), "-q"], check=True)
    usual = subprocess.run([sys.executable, "-c", f"from splicer.cli import splice_main; splice_main({args!r})"],
                           capture_output=True, timeout=60, env={**os.environ, "COLUMNS": "100"})
    if case == "splice":
        out.unlink()
    fast_exit = subprocess.run([str(_script("splice")), *args], capture_output=True, timeout=60,
                               env={**os.environ, "COLUMNS": "100"})
    assert (fast_exit.returncode, fast_exit.stdout, fast_exit.stderr) == (usual.returncode, usual.stdout, usual.stderr)
    assert fast_exit.returncode == {"splice": 0, "no-op": 0, "diff": 0, "bad-input": 3, "usage": 2}[case], fast_exit.stderr
    if case == "diff":
        assert len(fast_exit.stdout) > 65536 or fast_exit.stdout.count(b"\n") > 20


@pytest.mark.parametrize("thread", [False, True], ids=["alone", "thread-alive"])
def test_exit_without_teardown_runs_atexit_and_skips_only_the_teardown(thread: bool) -> None:
    code = ("import atexit, threading, time\n"
            "atexit.register(print, 'atexit ran')\n"
            "class Freed:\n    def __del__(self): print('teardown ran')\n"
            "kept = Freed()\n"
            + ("threading.Thread(target=time.sleep, args=(0.2,)).start()\n" if thread else "")
            + "from splicer.cli import _exit_without_teardown\n"
            "print('output', end='')\n"  # unflushed: the exit must flush it
            "_exit_without_teardown(5)\n"
            "raise SystemExit(7)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    if thread:  # the teardown would wait for the thread: the usual exit, teardown and all
        assert (done.returncode, done.stdout) == (7, "outputatexit ran\nteardown ran\n"), done.stderr
    else:
        assert (done.returncode, done.stdout) == (5, "outputatexit ran\n"), done.stderr
