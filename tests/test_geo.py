"""Datums and clusters of the maps (minqing.lib.geo)."""

import math

import pytest

from minqing.lib import geo


def test_wgs84_to_gcj02_matches_the_published_reference_point():
    # wandergis/coordtransform's README (the reference every port checks against): 天安门 116.404, 39.915
    lng, lat = geo.wgs84_to_gcj02(116.404, 39.915)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


@pytest.mark.parametrize("lng, lat", [(116.404, 39.915), (107.727123, 31.353456), (121.4737, 31.2304),
                                      (87.6168, 43.8256)])
def test_gcj02_back_to_wgs84_within_a_centimetre(lng, lat):
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lng, lat))
    metres = math.hypot((back[0] - lng) * 111320 * math.cos(math.radians(lat)), (back[1] - lat) * 110540)
    assert metres < 0.01
    shift = geo.wgs84_to_gcj02(lng, lat)
    assert 100 < math.hypot((shift[0] - lng) * 111320, (shift[1] - lat) * 110540) < 1000  # the offset is real
    # the reference's one-step inverse agrees to a few centimetres
    assert geo.gcj02_to_wgs84(116.404, 39.915) == pytest.approx((116.39775550083061, 39.91359571849836), abs=1e-6)


def test_outside_china_nothing_moves():
    assert geo.wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)
    assert geo.gcj02_to_wgs84(139.6917, 65.0) == (139.6917, 65.0)


def test_cluster_gathers_near_points_and_names_them():
    pts = [geo.Point(107.70 + i * 1e-4, 31.35, "甲村") for i in range(5)] + [geo.Point(108.2, 31.9, "乙村")]
    clusters = geo.cluster(pts, cells=8)
    assert [(c.count, c.places) for c in clusters] == [(5, ["甲村"]), (1, ["乙村"])]
    assert clusters[0].lng == pytest.approx(107.7002)
    assert geo.cluster([]) == [] and geo.extent_of([]) is None
    box = geo.extent_of(pts)
    assert box.west < 107.70 and box.east > 108.2 and box.south < 31.35 and box.north > 31.9
