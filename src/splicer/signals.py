"""SIGINT and SIGTERM, one way in every command: the first unwinds or stops cleanly, a second ends at once.

The entry points call ``install()`` before they import anything heavy, and the handler
stays until the process exits (asyncio never owns it: no ``add_signal_handler``, whose
removal at loop close would hand a late signal back to the defaults, a -15 or a traceback).

What the first signal does depends on the innermost ``on_signal`` mode: by default it raises
``SignalExit`` where the main thread is, so ``finally`` blocks run and the command's boundary
prints one line and exits 130; ``run_async`` cancels its main task instead; a server's mode
starts a clean stop.  A second signal, whatever the mode, writes one line and ends the
process at once (``os._exit``): whoever signals twice wants it gone now, as after a SIGKILL.
Once the command has ended (``exiting``), a signal is only noted: the last atexit handler
turns it into one line and 130, then blocks both signals for the interpreter's teardown.

This module imports only ``os`` and ``_signal``: it runs before the commands exist.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing, contextlib and enum cost milliseconds this module runs before
if TYPE_CHECKING:
    import signal
    import asyncio
    from collections.abc import Callable, Coroutine
    from types import TracebackType
    from typing import Any, TypeVar

    T = TypeVar("T")
else:
    import _signal as signal  # already loaded by the interpreter; `signal` would add enum

EXIT_INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for Ctrl-C; SIGTERM ends the same way
SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {int(signal.SIGINT): "SIGINT", int(signal.SIGTERM): "SIGTERM"}
SECOND_SIGNAL = "CWWSM0396E: stopped at once by a second signal"


class SignalExit(BaseException):
    """The first SIGINT or SIGTERM, raised where the main thread was.

    Not a KeyboardInterrupt: click would print "Aborted!" and exit 1 for that, and asyncio
    treats it specially.  Like it, it is no Exception, so ``except Exception`` lets it pass.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(name(signum))


def name(signum: int) -> str:
    return NAMES.get(signum, f"signal {signum}")


class _Mode:
    def __init__(self, first: Callable[[int], bool], second_line: str | None) -> None:
        self.first = first
        self.second_line = second_line


_modes: list[_Mode] = []
_heard: list[int] = []


def _handler(signum: int, frame: object) -> None:
    _heard.append(signum)
    mode = _modes[-1] if _modes else None
    if len(_heard) > 1:
        exit_now((mode.second_line if mode and mode.second_line else SECOND_SIGNAL)
                 + f" ({name(signum)})")
    if mode is not None and mode.first(signum):
        return
    raise SignalExit(signum)


def install() -> None:
    """From now to exit, SIGINT and SIGTERM go through this module (main thread only).

    A signal a parent set to be ignored stays ignored: a background job of a shell without
    job control (``cmd &`` in a script) must not die of the terminal's Ctrl-C.
    """
    import atexit

    for sig in SIGNALS:
        if signal.getsignal(sig) is signal.SIG_IGN:
            continue
        signal.signal(sig, _handler)
    # Registered first, so it runs after every atexit handler the command registers.
    atexit.register(_last_atexit)


_exit: list[int] = []  # [signals heard when the command ended], once it has


def exiting() -> None:
    """The command has ended and the interpreter is about to exit: a signal now is noted,
    not raised (it would land in atexit handlers or in the interpreter's teardown)."""
    _exit[:] = [len(_heard)]
    _modes.append(_Mode(lambda signum: True, None))


def _last_atexit() -> None:
    """A signal during the exit still ends it with one line and 130.  Past this point only
    the interpreter's teardown is left, during which CPython puts the default actions back
    (a death by the signal): the signals are blocked then, and one that comes is dropped
    with the process, which exits with its command's code."""
    import sys

    if not _exit:
        return
    late = _heard[_exit[0]:]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe, a closed or absent stream
            pass
    if late:
        exit_now(f"CWWSM0399E: interrupted by {name(late[0])} as it exited")
    signal.pthread_sigmask(signal.SIG_BLOCK, set(SIGNALS))


def installed() -> bool:
    """True in a process whose entry point called ``install()`` (not in an embedding caller)."""
    return any(signal.getsignal(sig) is _handler for sig in SIGNALS)


def heard() -> int | None:
    """The first signal heard so far, or None."""
    return _heard[0] if _heard else None


def exit_now(line: str) -> None:
    """One line on stderr and exit 130 at once: no unwinding, no atexit, no flush."""
    try:
        os.write(2, line.encode("utf-8", "replace") + b"\n")
    finally:
        os._exit(EXIT_INTERRUPTED)


class on_signal:  # noqa: N801 - used like a contextmanager function
    """While active, the first signal calls ``first(signum)`` in the main thread (return
    False to raise SignalExit after all); a second one prints ``second_line`` and exits."""

    def __init__(self, first: Callable[[int], bool], second_line: str | None = None) -> None:
        self.mode = _Mode(first, second_line)

    def __enter__(self) -> None:
        _modes.append(self.mode)

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        _modes.remove(self.mode)


def run_async(main: Coroutine[Any, Any, T], *, second_line: str | None = None) -> T:
    """``asyncio.run(main)`` where the first signal cancels the main task (its ``finally``
    blocks stop what it started) and then raises SignalExit; a second one exits at once.

    The mode spans the whole of ``asyncio.run``, teardown included, so a signal is never
    raised inside the event loop's own code.
    """
    import asyncio

    tasks: list[asyncio.Task[Any]] = []

    async def guarded() -> T:
        task = asyncio.current_task()
        assert task is not None
        tasks.append(task)
        if heard() is not None:  # a signal before the loop ran: do not start at all
            raise asyncio.CancelledError
        return await main

    def first(signum: int) -> bool:
        for task in tasks:
            if not task.done():
                soon(task.get_loop(), task.cancel)
        return True

    with on_signal(first, second_line):
        try:
            result = asyncio.run(guarded())
        except asyncio.CancelledError:
            signum = heard()
            if signum is None:
                raise
            raise SignalExit(signum) from None
        finally:
            main.close()  # never awaited when a signal came first; a no-op otherwise
    signum = heard()
    if signum is not None:
        raise SignalExit(signum)  # the work was done, but the command was interrupted all the same
    return result


def soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
    """Run ``callback`` in ``loop`` as soon as it can (from a signal handler: this wakes the
    loop's select, which PEP 475 restarts after the handler); nothing once the loop closed."""
    try:
        loop.call_soon_threadsafe(callback)
    except RuntimeError:
        pass
