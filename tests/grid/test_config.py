"""objectGrid and deployment-policy XML: the samples' values and every refusal, with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from splicer.errors import ConfigError
from splicer.grid.config import load_grids
from splicer.grid.errors import GridConfigError
from tests.grid.conftest import (DP_HEAD, OG_HEAD, SAMPLE_DP, SAMPLE_OG, deployment_xml,
                                 objectgrid_xml, write)


def test_samples_carry_the_documented_session_grid() -> None:
    grids = load_grids(SAMPLE_OG, SAMPLE_DP)
    assert list(grids) == ["session"]
    grid = grids["session"]
    assert grid.tx_timeout == 30
    (mapset,) = grid.mapsets
    assert (mapset.name, mapset.partitions, mapset.min_sync, mapset.max_sync, mapset.max_async,
            mapset.development_mode, mapset.placement_strategy) == (
        "sessionMapSet", 47, 0, 0, 1, False, "PER_CONTAINER")
    maps = {m.name: m for m in mapset.maps}
    assert list(maps) == ["objectgridSessionMetadata", "objectgridSessionAttribute.*",
                          "objectgridSessionTTL.*"]
    meta = maps["objectgridSessionMetadata"]
    assert (meta.template, meta.lock_strategy, meta.ttl_evictor, meta.time_to_live,
            meta.copy_mode) == (False, "PESSIMISTIC", "LAST_ACCESS_TIME", 3600, "NO_COPY")
    assert maps["objectgridSessionAttribute.*"].template
    assert maps["objectgridSessionAttribute.*"].ttl_evictor == "NONE"
    assert maps["objectgridSessionTTL.*"].time_to_live == 3600


@pytest.mark.parametrize(("requested", "found"), [
    ("objectgridSessionMetadata", "objectgridSessionMetadata"),
    ("objectgridSessionAttribute", "objectgridSessionAttribute.*"),
    ("objectgridSessionAttribute.MySessionTestWeb", "objectgridSessionAttribute.*"),
    ("objectgridSessionTTL.x", "objectgridSessionTTL.*"),
    ("objectgridSessionMetadataX", None),
    ("xobjectgridSessionAttribute", None),
    ("objectgridSession", None),
], ids=["plain", "template-bare", "template-suffix", "ttl-template", "plain-not-prefix",
        "template-anchored-start", "unknown"])
def test_template_maps_match_the_whole_name(requested: str, found: str | None) -> None:
    grid = load_grids(SAMPLE_OG, SAMPLE_DP)["session"]
    resolved = grid.resolve(requested)
    assert (resolved[1].name if resolved else None) == found


def test_round_trip_through_json_is_exact() -> None:
    from splicer.grid.config import GridDefinition

    grid = load_grids(SAMPLE_OG, SAMPLE_DP)["session"]
    assert GridDefinition.from_json(grid.to_json()) == grid


OG_CASES = [
    ("root", '<objectGrids xmlns="http://ibm.com/ws/objectgrid/config"/>', 1, None,
     r"the root element is '\{http://ibm.com/ws/objectgrid/config\}objectGrids'"),
    ("namespace", '<objectGridConfig xmlns="urn:other"/>', 1, None,
     r"the root element is '\{urn:other\}objectGridConfig', expected <objectGridConfig>"),
    ("not-xml", "<objectGridConfig", 1, None, r"not well-formed XML"),
    ("unknown-attr", objectgrid_xml("ttlEvictorType=\"NONE\" tymeToLive=\"3\""), 3,
     "tymeToLive", r"<backingMap> has no attribute 'tymeToLive'"),
    ("bad-evictor", objectgrid_xml('ttlEvictorType="SOMETIMES" timeToLive="3"'), 3,
     "ttlEvictorType", r"ttlEvictorType='SOMETIMES' is not a known value"),
    ("bad-ttl", objectgrid_xml('ttlEvictorType="CREATION_TIME" timeToLive="-1"'), 3,
     "timeToLive", r"timeToLive='-1' is not a whole number >= 0"),
    ("ttl-missing", objectgrid_xml('ttlEvictorType="CREATION_TIME"'), 3, "timeToLive",
     r"ttlEvictorType CREATION_TIME needs a timeToLive > 0"),
    ("bad-template", objectgrid_xml(extra_maps='<backingMap name="x(" template="true"/>\n'), 5,
     "name", r"template map name 'x\(' is not a regular expression"),
    ("bad-bool", objectgrid_xml(extra_maps='<backingMap name="y" readOnly="yes"/>\n'), 5,
     "readOnly", r"readOnly='yes' is not a boolean"),
    ("duplicate-map", objectgrid_xml(extra_maps='<backingMap name="objectgridSessionMetadata"/>\n'),
     5, "name", r"backingMap 'objectgridSessionMetadata' is defined twice"),
    ("plugin-ref", objectgrid_xml(extra_maps='<backingMap name="z" pluginCollectionRef="nope"/>\n'),
     5, "pluginCollectionRef", r"pluginCollectionRef 'nope' names no"),
    ("stray-element", OG_HEAD + "<map name='a'/></objectGrid></objectGrids></objectGridConfig>",
     3, None, r"unexpected element <map> in <objectGrid>"),
]


@pytest.mark.parametrize(("text", "line", "key", "reason"), [c[1:] for c in OG_CASES],
                         ids=[c[0] for c in OG_CASES])
def test_objectgrid_errors_say_file_line_and_what(tmp_path: Path, text: str, line: int,
                                                  key: str | None, reason: str) -> None:
    og = write(tmp_path, "og.xml", text)
    with pytest.raises(GridConfigError, match=f"^CWWSM0130E: {og}:{line}: {reason}") as info:
        load_grids(og, SAMPLE_DP)
    assert isinstance(info.value, ConfigError)
    assert info.value.where.parts == (str(og),)
    assert info.value.where.line == line
    assert info.value.key == key
    assert info.value.exit_code == 2


DP_CASES = [
    ("root", '<deploymentPolicy xmlns="http://ibm.com/ws/objectgrid/config"/>', 1, None,
     r"the root element is .* expected <deploymentPolicy> in namespace "
     r"http://ibm.com/ws/objectgrid/deploymentPolicy"),
    ("unknown-grid", deployment_xml().replace('objectgridName="session"', 'objectgridName="s"'),
     2, "objectgridName", r"objectgridName 's' is not an objectGrid of"),
    ("min-over-max", deployment_xml(min_sync=2, max_sync=1), 3, "minSyncReplicas",
     r"minSyncReplicas 2 is more than maxSyncReplicas 1"),
    ("zero-partitions", deployment_xml(partitions=0), 3, "numberOfPartitions",
     r"numberOfPartitions='0' is not a whole number >= 1"),
    ("bad-strategy", deployment_xml(extra_attrs='placementStrategy="RANDOM"'), 3,
     "placementStrategy", r"placementStrategy='RANDOM' is not a known value"),
    ("unknown-attr", deployment_xml(extra_attrs='numberOfReplicas="2"'), 3, "numberOfReplicas",
     r"<mapSet> has no attribute 'numberOfReplicas'"),
    ("bad-ref", deployment_xml().replace('"objectgridSessionAttribute.*"', '"attrs"'), 5, "ref",
     r"map ref 'attrs' names no backingMap of objectGrid 'session'"),
    ("unplaced-map", DP_HEAD + '<mapSet name="m"><map ref="objectgridSessionMetadata"/>'
     "</mapSet></objectgridDeployment></deploymentPolicy>", 2, "map",
     r"backingMap\(s\) objectgridSessionAttribute.\* of objectGrid 'session' are in no mapSet"),
    ("empty", '<deploymentPolicy xmlns="http://ibm.com/ws/objectgrid/deploymentPolicy"/>', 1,
     None, r"the file has no <objectgridDeployment>"),
]


@pytest.mark.parametrize(("text", "line", "key", "reason"), [c[1:] for c in DP_CASES],
                         ids=[c[0] for c in DP_CASES])
def test_deployment_errors_say_file_line_and_what(tmp_path: Path, text: str, line: int,
                                                  key: str | None, reason: str) -> None:
    og = write(tmp_path, "og.xml", objectgrid_xml())
    dp = write(tmp_path, "dp.xml", text)
    with pytest.raises(GridConfigError, match=f"^CWWSM0130E: {dp}:{line}: {reason}") as info:
        load_grids(og, dp)
    assert info.value.where == type(info.value.where)((str(dp),), line)
    assert info.value.key == key


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.xml"
    with pytest.raises(GridConfigError, match=f"^CWWSM0130E: {missing}: cannot read the file"):
        load_grids(missing, SAMPLE_DP)


def test_entities_are_refused_not_expanded(tmp_path: Path) -> None:
    og = write(tmp_path, "og.xml", '<!DOCTYPE x [<!ENTITY e "boom">]>\n' + objectgrid_xml())
    with pytest.raises(GridConfigError, match=r"^CWWSM0130E: .*og.xml:1: the DOCTYPE declares "
                                              r"entities \(e\)"):
        load_grids(og, SAMPLE_DP)
