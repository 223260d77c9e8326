"""Ports verify names before their component listens: held for the run, taken by nobody else.

Bug: ``free_ports()`` bound port 0, closed the socket and handed the number on; the servers
bound it a few seconds later (once the grid was up).  Meanwhile the system could give it to
anyone: another verify running in parallel, a test, the local end of a connection.  verify
then failed to start, or its plug-in reached someone else's server.
"""

from __future__ import annotations

import errno
import socket

import pytest

from splicer.verify.ports import Reservation, port_is_free


def taken_by_another_process(port: int) -> int | None:
    """What a bind of ``port`` itself, as another program without SO_REUSEADDR does, meets:
    None when it got the port, else its errno."""
    with socket.socket() as other:
        try:
            other.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno
        return None


def test_reserved_ports_are_distinct_refused_and_bound_by_no_one_else() -> None:
    with Reservation(3) as reservation:
        ports = reservation.ports
        assert len(set(ports)) == 3
        assert all(port_is_free(port) for port in ports)  # nothing listens: refused
        assert [taken_by_another_process(port) for port in ports] == [errno.EADDRINUSE] * 3
    assert [taken_by_another_process(port) for port in ports] == [None] * 3  # let go


def test_port_zero_never_hands_out_a_reserved_port() -> None:
    """The system picks port 0 at random in its ephemeral range: freed (the bug), 50 ports
    came back 13 to 22 times in these 4000 picks (10 trials); held, never."""
    with Reservation(50) as reservation:
        held = set(reservation.ports)
        picked = []
        for reuse in (False, True):  # asyncio's servers set SO_REUSEADDR, others do not
            for _ in range(2000):
                with socket.socket() as other:
                    if reuse:
                        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    other.bind(("127.0.0.1", 0))
                    picked.append(other.getsockname()[1])
    assert held.isdisjoint(picked), sorted(held.intersection(picked))


def test_a_server_listens_beside_the_holder_at_each_start() -> None:
    """A splicer server binds with SO_REUSEADDR (socket.create_server, asyncio): it listens
    on the reserved port; once it stops, connections are refused again (the plug-in sees a
    stopped server), the port stays held, and a restart listens there again."""
    with Reservation(1) as reservation:
        port = reservation.ports[0]
        for _start in range(2):
            with socket.create_server(("127.0.0.1", port)) as server:
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    accepted, _ = server.accept()
                    accepted.close()
            assert port_is_free(port)
            assert taken_by_another_process(port) == errno.EADDRINUSE


def test_a_port_bound_by_number_before_the_server_makes_the_server_fail() -> None:
    """What the reservation cannot prevent: a program that picks this very number and sets
    SO_REUSEADDR, listening first.  The server's bind then fails; it never shares the port."""
    with Reservation(1) as reservation:
        port = reservation.ports[0]
        with socket.create_server(("127.0.0.1", port)):
            with pytest.raises(OSError) as info:
                socket.create_server(("127.0.0.1", port)).close()
    assert info.value.errno == errno.EADDRINUSE
