"""Per-user settings of the web pages: the appeal list's saved views (保存的筛选)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named filter of the appeal list: just its query string, private to its owner. It holds no
    personal data (a whole phone or ID number is never kept in a query string), so it is a
    preference, not a record: the owner may delete it outright."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.CASCADE,
                             related_name="saved_views")
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="uniq_saved_view_name")]

    def __str__(self) -> str:
        return self.name
