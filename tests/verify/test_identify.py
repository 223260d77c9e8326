"""--url mode: which of the user's servers answered, from what a real page and cookie say."""

from __future__ import annotations

from pathlib import Path

import pytest

from splicer.errors import UsageError
from splicer.verify.probe import Observation
from splicer.verify.realdeploy import CommandControls, RealDeployment

SID = "4WnQaKbKMCdHRuD5PWdsZJf"


def controls(tmp_path: Path, *names: str) -> CommandControls:
    deployment = RealDeployment(url="http://web/MySessionTestWeb/SessionTest.jsp",
                                stop={n: "true" for n in names}, start={n: "true" for n in names})
    return CommandControls(deployment, tmp_path)


@pytest.mark.parametrize(
    ("names", "seen", "expected"),
    [
        (("server1", "server2"),
         Observation("GET", 0, 200, page_server="kr050578Node03Cell\\kr050578Node05\\server1"), "server1"),
        (("SERVER2",), Observation("GET", 0, 200, page_server="cell\\node\\server2"), "SERVER2"),
        (("kr050578Node03Cell\\kr050578Node05\\server1",),
         Observation("GET", 0, 200, page_server="kr050578Node03Cell\\kr050578Node05\\server1"),
         "kr050578Node03Cell\\kr050578Node05\\server1"),
        (("17f69k519", "17f69k8ot"), Observation("GET", 0, 200, cookie=f"0000{SID}:17f69k8ot"), "17f69k8ot"),
        (("17f69k519", "17f69k8ot"), Observation("GET", 0, 200, cookie=f"0000{SID}:17f69k519:17f69k8ot"), None),
        (("a", "b"), Observation("GET", 0, 200, clone="b"), "b"),
        (("a", "b"), Observation("GET", 0, 200, page_server="cell\\node\\server9"), "server9"),
    ],
    ids=["full-name-last-part", "case-blind", "full-name-key", "new-session-cookie-clone",
         "failed-over-cookie-is-ambiguous", "plugin-clone-header", "unknown-server-still-named"],
)
def test_identify(tmp_path: Path, names: tuple[str, ...], seen: Observation, expected: str | None) -> None:
    hands = controls(tmp_path, *names)
    assert hands.identify(seen) == expected
    assert hands.can_control(expected or "") is (expected in names)


def test_real_deployments_are_never_crashed(tmp_path: Path) -> None:
    hands = controls(tmp_path, "server1")
    assert hands.can_crash is False and hands.can_crash_grid is False
    assert hands.retry_interval is None


def test_stop_without_start_is_refused() -> None:
    with pytest.raises(UsageError, match="^CWWSM0100E: every server needs both --stop-cmd and --start-cmd; "
                                         "incomplete: s2$") as caught:
        RealDeployment(url="http://web/p.jsp", stop={"s1": "x", "s2": "y"}, start={"s1": "z"})
    assert caught.value.reason.endswith("incomplete: s2")
