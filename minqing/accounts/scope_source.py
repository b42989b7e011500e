"""The places and roles of a user, as accounts gives them to the one jurisdiction filter.

Accounts defines posts and roles and sits above regions, so it registers this source in its
AppConfig.ready() (`regions.jurisdiction.register_posts`) instead of jurisdiction importing accounts
(docs/decisions/0044-core-layering.md)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from minqing.regions.jurisdiction import PostScope, RoleMeaning

from .roles import ADMIN_ROLES, LEADER_ROLES, PLACE_ROLES, REGISTER_FUNCTIONS, Role, UnitKind

# The posts held today — begun (a post not begun gives nothing yet) and not ended — as SQL on the post
# table aliased "p" with its unit "u": posts_of() reads them alone, otp.pending_step() in the same
# statement as the second-factor check (docs/decisions/0070-list23-request-statements.md). Params: today, today.
HELD_TODAY = ('({p}."ended_on" IS NULL OR {p}."ended_on" >= %s) AND ({p}."started_on" IS NULL OR '
              '{p}."started_on" <= %s)')
POST_COLUMNS = '{p}."role", {p}."region_id", {p}."unit_id", {u}."kind", {u}."function"'
_READ = "_minqing_posts_read"  # the posts read with the second-factor check, on this request's user object


def today_param() -> Any:
    from django.db import connection

    return connection.ops.adapt_datefield_value(timezone.localdate())


def post_scopes(rows: Any) -> list[PostScope]:
    """PostScopes from rows of POST_COLUMNS (a LEFT JOIN's row of NULLs is no post)."""
    return [PostScope(r, c, u, k, f or "") for r, c, u, k, f in rows if r is not None]


def remember(user: Any, posts: list[PostScope]) -> None:
    """Posts read in this request along with another look-up: the jurisdiction filter takes them instead of
    reading them again. Kept on the request's user object only — never across requests, so a post
    revoked or ended takes effect at the next request."""
    setattr(user, _READ, tuple(posts))


def posts_of(user: Any) -> list[PostScope]:
    """The posts the user holds today: begun and not ended."""
    read = getattr(user, _READ, None)
    if read is not None:
        return list(read)
    from django.db import connection

    from .models import Post, Unit

    q = connection.ops.quote_name
    sql = (f'SELECT {POST_COLUMNS.format(p="p", u="u")} FROM {q(Post._meta.db_table)} p '
           f'INNER JOIN {q(Unit._meta.db_table)} u ON u."id" = p."unit_id" '
           f'WHERE p."user_id" = %s AND {HELD_TODAY.format(p="p")}')
    today = today_param()
    with connection.cursor() as cur:
        cur.execute(sql, [user.pk, today, today])
        return post_scopes(cur.fetchall())


def keeps_register(post: PostScope) -> bool:
    """The county 民政局 (a department whose function keeps the households' register): it sees the
    households and residents of its county and may reveal them (docs/domain.md privacy table), yet
    works appeals, visits and disputes by assignment like any department. 人社局 does not."""
    return (post.unit_kind == UnitKind.DEPARTMENT and post.unit_function in REGISTER_FUNCTIONS
            and post.role not in ADMIN_ROLES)


MEANING = RoleMeaning(place=PLACE_ROLES, leader=LEADER_ROLES, admin=ADMIN_ROLES, discipline=Role.DISCIPLINE,
                      keeps_register=keeps_register)
