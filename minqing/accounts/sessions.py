"""Sessions in the database with an idle time-out that costs no write on most requests.

The idle time-out (等保: 登录连接超时自动退出, settings.SESSION_COOKIE_AGE) needs each request to push the
end of the session forward. Django's SESSION_SAVE_EVERY_REQUEST does that with a write on every request
(a transaction and an UPDATE of the session row, on a list read three statements of twelve). Here the
session is written back when it changed, or when its end was last pushed more than
SESSION_REFRESH_SECONDS ago: a person active within the last minute is not written again. The end a
session is given is never later than Django's (last push + SESSION_COOKIE_AGE ≤ last request +
SESSION_COOKIE_AGE): the idle time-out is at most SESSION_REFRESH_SECONDS shorter, never longer, and a
session logged out or ended elsewhere is gone as before (its row is read, not kept, on each request).
docs/decisions/0063-list22-request-path.md."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date


def refresh_seconds() -> int:
    return int(getattr(settings, "SESSION_REFRESH_SECONDS", 60))


class SessionStore(DbStore):
    """Django's database store that also keeps the end date of the row it read (no extra statement:
    the same SELECT already returns it)."""

    loaded_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        s = super()._get_session_from_db()
        self.loaded_expiry = s.expire_date if s is not None else None
        return s

    async def _aget_session_from_db(self):
        s = await super()._aget_session_from_db()
        self.loaded_expiry = s.expire_date if s is not None else None
        return s

    def due_for_refresh(self) -> bool:
        """Written back to push its end forward: new (no row read), ending at browser close or at a
        set time of its own, or its end was pushed more than refresh_seconds() ago."""
        if self.loaded_expiry is None or self.get("_session_expiry") is not None:
            return True
        left = self.loaded_expiry - timezone.now()
        return left < dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - refresh_seconds())


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that an unchanged session is saved (and its cookie re-sent) only when
    SessionStore.due_for_refresh() — instead of on every request (SESSION_SAVE_EVERY_REQUEST)."""

    def process_response(self, request, response):
        try:
            session = request.session
            accessed, modified, empty = session.accessed, session.modified, session.is_empty()
        except AttributeError:
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES and empty:
            response.delete_cookie(settings.SESSION_COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                                   domain=settings.SESSION_COOKIE_DOMAIN, samesite=settings.SESSION_COOKIE_SAMESITE)
            patch_vary_headers(response, ("Cookie",))
            return response
        need_vary = accessed
        refresh = getattr(session, "due_for_refresh", None)
        if not empty and (modified or settings.SESSION_SAVE_EVERY_REQUEST or refresh is None or refresh()):
            if session.get_expire_at_browser_close():
                max_age, expires = None, None
            else:
                max_age = session.get_expiry_age()
                expires = http_date(time.time() + max_age)
            if response.status_code < 500:  # as Django: no save on a server error
                try:
                    session.save()
                except UpdateError:
                    raise SessionInterrupted(
                        "The request's session was deleted before the request completed. The user may have "
                        "logged out in a concurrent request, for example.") from None
                response.set_cookie(settings.SESSION_COOKIE_NAME, session.session_key, max_age=max_age,
                                    expires=expires, domain=settings.SESSION_COOKIE_DOMAIN,
                                    path=settings.SESSION_COOKIE_PATH,
                                    secure=settings.SESSION_COOKIE_SECURE or None,
                                    httponly=settings.SESSION_COOKIE_HTTPONLY or None,
                                    samesite=settings.SESSION_COOKIE_SAMESITE)
                need_vary = True
        if need_vary:
            patch_vary_headers(response, ("Cookie",))
        return response
