"""Who reads a cadre's 群众评议: the cadre's leaders, never their peers (plain Python over posts).

A post V *outranks* a post P when
- V is a place post with a standing (below) and P's place lies strictly inside V's place — the
  township's secretary over the village's cadres and the township's stations; or
- both cover the same place and V stands higher — the township secretary over the township head and
  the station staff, the village secretary over the grid worker; a department head only inside their
  own unit (the head of 住建局 over its handlers, never over another department's).
A reader sees a cadre's ratings when every current post of the cadre is outranked by one of the
reader's posts — a township head who is also 包村领导 of a village is not read by the township
secretary's peer through the village post. The cadre reads their own ratings; an operator account
(superuser) reads all. Administrators and the discipline commission hold no standing here.

A unit's figures (its cadres' ratings summed) are read by a leader whose post covers the unit's
place (Scope.leads) and by the unit's own head; never by another unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from minqing.accounts.roles import Role
from minqing.lib import regioncode
from minqing.regions.jurisdiction import PostScope, Scope

# Standing of a post among those of the same place (0: none — reads no one's ratings).
STANDING: dict[str, int] = {
    Role.COUNTY_SECRETARY: 9, Role.COUNTY_HEAD: 8, Role.COUNTY_LEADER: 7,
    Role.TOWNSHIP_SECRETARY: 6, Role.TOWNSHIP_HEAD: 5, Role.VILLAGE_LEAD: 4,
    Role.DEPT_HEAD: 4,
    Role.FIRST_SECRETARY: 3, Role.VILLAGE_SECRETARY: 3, Role.TEAM_LEADER: 2, Role.VILLAGE_DIRECTOR: 2,
}
UNIT_BOUND = frozenset({Role.DEPT_HEAD})  # whose standing holds only inside their own unit
HEADS = frozenset({Role.DEPT_HEAD, Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.TOWNSHIP_SECRETARY,
                   Role.TOWNSHIP_HEAD, Role.VILLAGE_SECRETARY})


def _standing(role: str) -> int:
    return STANDING.get(role, 0)


def outranks(v: PostScope, p: PostScope) -> bool:
    standing = _standing(v.role)
    if standing == 0:
        return False
    if v.role in UNIT_BOUND:
        return v.unit_id == p.unit_id and standing > _standing(p.role)
    if v.region_code == p.region_code:
        return standing > _standing(p.role)
    return regioncode.contains(v.region_code, p.region_code)


def may_read_cadre(reader: Scope, cadre_id: int, cadre_posts: Iterable[PostScope]) -> bool:
    """May this reader see the ratings of this cadre (whose current posts are given)?"""
    if reader.is_anonymous:
        return False
    if reader.is_superuser or reader.user_id == cadre_id:
        return True
    posts = list(cadre_posts)
    if not posts:  # a cadre with no current post: only a leader of the place, as for a unit
        return False
    return all(any(outranks(v, p) for v in reader.posts) for p in posts)


def may_read_unit(reader: Scope, unit_id: int, unit_region: str) -> bool:
    """May this reader see the summed ratings of a unit?"""
    if reader.is_anonymous:
        return False
    if reader.is_superuser:
        return True
    if any(p.unit_id == unit_id and p.role in HEADS for p in reader.posts):
        return True
    return any(_standing(p.role) > 0 and p.role not in UNIT_BOUND and regioncode.contains(p.region_code, unit_region)
               and (p.region_code != unit_region or p.role in HEADS) for p in reader.posts)


def reads_any(reader: Scope) -> bool:
    """Does this reader have a standing at all (the page's menu entry)?"""
    return reader.is_superuser or any(_standing(p.role) > 0 for p in reader.posts)
