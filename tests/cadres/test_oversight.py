"""Who reads whose 群众评议: leaders, never peers (plain rules over posts, no database)."""

from __future__ import annotations

from minqing.cadres.oversight import may_read_cadre, may_read_unit, outranks
from minqing.regions.jurisdiction import PostScope, Scope

COUNTY, TOWN, TOWN2, VILLAGE_A, VILLAGE_B = "511722000000", "511722100000", "511722101000", "511722100201", \
    "511722100202"


def post(role: str, region: str, unit: int = 1, kind: str = "township_office") -> PostScope:
    return PostScope(role, region, unit, kind, "")


def scope(user_id: int, *posts: PostScope) -> Scope:
    return Scope(user_id=user_id, posts=posts, figure_codes=tuple(p.region_code for p in posts))


def test_a_township_leader_outranks_the_villages_and_the_stations_below():
    secretary = post("township_secretary", TOWN)
    assert outranks(secretary, post("village_secretary", VILLAGE_A))
    assert outranks(secretary, post("township_staff", TOWN, unit=2))
    assert outranks(secretary, post("township_head", TOWN))  # 党委书记 over 乡镇长
    assert not outranks(post("township_head", TOWN), secretary)
    assert not outranks(secretary, post("village_secretary", "511722101201"))  # another township's village


def test_peers_never_read_each_other():
    a = post("village_secretary", VILLAGE_A)
    b = post("village_secretary", VILLAGE_B)
    assert not may_read_cadre(scope(1, a), 2, [b])
    assert not may_read_cadre(scope(2, b), 1, [a])
    heads = post("township_secretary", TOWN), post("township_secretary", TOWN2)
    assert not may_read_cadre(scope(1, heads[0]), 2, [heads[1]])
    staff = post("township_staff", TOWN, unit=5, kind="township_station")
    assert not may_read_cadre(scope(3, staff), 4, [post("township_staff", TOWN, unit=5, kind="township_station")])


def test_a_cadre_with_a_post_beside_the_reader_is_not_read_through_a_lower_one():
    """A township head who is also 包村领导 of a village: the other head of the same rank does not read
    them through the village post; the secretary reads them (above both)."""
    head = [post("township_head", TOWN), post("village_lead", VILLAGE_A)]
    assert not may_read_cadre(scope(9, post("township_head", TOWN)), 2, head)
    assert may_read_cadre(scope(9, post("township_secretary", TOWN)), 2, head)


def test_a_department_head_reads_only_their_own_unit():
    housing_head = post("dept_head", COUNTY, unit=10, kind="department")
    assert may_read_cadre(scope(1, housing_head), 2, [post("dept_handler", COUNTY, unit=10, kind="department")])
    assert not may_read_cadre(scope(1, housing_head), 3, [post("dept_handler", COUNTY, unit=11, kind="department")])
    assert may_read_unit(scope(1, housing_head), 10, COUNTY)
    assert not may_read_unit(scope(1, housing_head), 11, COUNTY)


def test_the_cadre_reads_their_own_and_no_standing_reads_nothing():
    handler = post("dept_handler", COUNTY, unit=10, kind="department")
    assert may_read_cadre(scope(2, handler), 2, [handler])
    inspector = post("discipline", COUNTY, unit=12, kind="discipline")
    assert not may_read_cadre(scope(7, inspector), 2, [handler])
    assert not may_read_unit(scope(7, inspector), 10, COUNTY)
    assert may_read_unit(scope(8, post("county_secretary", COUNTY)), 10, COUNTY)
