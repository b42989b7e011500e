"""Coordinates on the maps: datums and clustering, in plain Python.

Positions are kept as the phone's GPS gives them: WGS84. 天地图 (the county's tile source) draws in
CGCS2000, which differs from WGS84 by centimetres, so they go on its tiles as they are. Chinese
commercial maps (高德/腾讯) draw in GCJ-02, the state's offset datum: a point picked on one of them
must be turned back with gcj02_to_wgs84 before it is stored, and a WGS84 point must go through
wgs84_to_gcj02 before it is drawn on such tiles. The published forward formula; the inverse by a few
fixed-point steps (under a centimetre). Outside China GCJ-02 is WGS84.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323  # its eccentricity squared


def out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """A GPS (WGS84/CGCS2000) position as GCJ-02 maps draw it: (lng, lat)."""
    if out_of_china(lng, lat):
        return lng, lat
    dlat, dlng = _dlat(lng - 105.0, lat - 35.0), _dlng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """A position picked on a GCJ-02 map, back to WGS84: the forward offset inverted by iteration."""
    if out_of_china(lng, lat):
        return lng, lat
    x, y = lng, lat
    for _ in range(8):
        fx, fy = wgs84_to_gcj02(x, y)
        x, y = x - (fx - lng), y - (fy - lat)
    return x, y


# --- clusters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    lng: float
    lat: float
    place: str = ""  # the village's name, to name a cluster


@dataclass
class Cluster:
    lng: float
    lat: float
    count: int
    places: list[str] = field(default_factory=list)  # the commonest first

    def as_dict(self) -> dict[str, object]:
        return {"lng": round(self.lng, 6), "lat": round(self.lat, 6), "count": self.count, "places": self.places}


@dataclass
class Extent:
    west: float
    south: float
    east: float
    north: float

    def as_dict(self) -> dict[str, float]:
        return {"west": self.west, "south": self.south, "east": self.east, "north": self.north}


def extent_of(points: Iterable[Point], pad: float = 0.05) -> Extent | None:
    pts = list(points)
    if not pts:
        return None
    west, east = min(p.lng for p in pts), max(p.lng for p in pts)
    south, north = min(p.lat for p in pts), max(p.lat for p in pts)
    dx, dy = max(east - west, 0.01) * pad, max(north - south, 0.01) * pad
    return Extent(west - dx, south - dy, east + dx, north + dy)


def cluster(points: Iterable[Point], cells: int = 16) -> list[Cluster]:
    """Points gathered on a grid of `cells` × `cells` over their extent: each cluster sits at the mean
    of its points and counts them (what a county-wide plot of thousands of cases can show)."""
    pts = list(points)
    box = extent_of(pts, pad=0)
    if box is None:
        return []
    width, height = max(box.east - box.west, 1e-9), max(box.north - box.south, 1e-9)
    groups: dict[tuple[int, int], list[Point]] = {}
    for p in pts:
        i = min(cells - 1, int((p.lng - box.west) / width * cells))
        j = min(cells - 1, int((p.lat - box.south) / height * cells))
        groups.setdefault((i, j), []).append(p)
    out = []
    for members in groups.values():
        names = Counter(p.place for p in members if p.place)
        out.append(Cluster(lng=sum(p.lng for p in members) / len(members),
                           lat=sum(p.lat for p in members) / len(members), count=len(members),
                           places=[n for n, _ in names.most_common(3)]))
    return sorted(out, key=lambda c: (-c.count, c.lng, c.lat))
