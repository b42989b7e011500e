from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditConfig(AppConfig):
    name = "minqing.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        register_codes()


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("audit", {
        "audit.exported": _("Audit trail exported"),
        "audit.rechained": _("Audit chain re-keyed"),
    }, seen_by=actions.AUDITOR_ONLY)
    # the operator's admin site writes admin.<app>.<model>.<verb> for any model (audit.admin_site)
    actions.register_family("admin.", lambda what: _("Operator's admin: %(what)s") % {"what": what})
    # the keys every import or job report writes in its details, and the trail's own (docs/decisions/0024)
    actions.register_keys({
        "file": pgettext_lazy("detail", "file"), "rows": pgettext_lazy("detail", "rows"),
        "created": pgettext_lazy("detail", "created"),
        "updated": pgettext_lazy("detail", "updated"), "existing": pgettext_lazy("detail", "already there"),
        "dry_run": pgettext_lazy("detail", "trial run only"), "first": pgettext_lazy("detail", "first case"),
        "last": pgettext_lazy("detail", "last case"), "layout": pgettext_lazy("detail", "file layout"),
        "lines": pgettext_lazy("detail", "lines"), "error": pgettext_lazy("detail", "error"),
        "mode": pgettext_lazy("detail", "run as"), "filters": pgettext_lazy("detail", "filters"),
        "steps": pgettext_lazy("detail", "steps"), "done": pgettext_lazy("detail", "done"),
        "length": pgettext_lazy("detail", "length (characters)"), "answered": pgettext_lazy("detail", "items answered"),
        "old_head": pgettext_lazy("detail", "old chain head"), "new_head": pgettext_lazy("detail", "new chain head"),
        "phone": pgettext_lazy("detail", "phone"), "events": pgettext_lazy("detail", "events"),
        "items": pgettext_lazy("detail", "items"), "groups": pgettext_lazy("detail", "groups"),
        "subtopics": pgettext_lazy("detail", "sub-topics"),
        # keys several parts write whose field of that name (if any) has no Chinese verbose name
        "accepted": pgettext_lazy("detail", "accepted"), "answer": pgettext_lazy("detail", "answer"),
        "channels": pgettext_lazy("detail", "channels"), "chosen": pgettext_lazy("detail", "category chosen"),
        "counted": pgettext_lazy("detail", "counted"), "expires_at": pgettext_lazy("detail", "expires at"),
        "failed_attempts": pgettext_lazy("detail", "failed attempts"), "item": pgettext_lazy("detail", "item"),
        "merged_into": pgettext_lazy("detail", "merged into"), "muted": pgettext_lazy("detail", "muted"),
        "photo": pgettext_lazy("detail", "photo"), "purpose": pgettext_lazy("detail", "purpose"),
        "resident": pgettext_lazy("detail", "resident"), "risks": pgettext_lazy("detail", "risks"),
        "signed_by": pgettext_lazy("detail", "signed by"), "source_ref": pgettext_lazy("detail", "source number"),
        "state": pgettext_lazy("detail", "state"), "suggested": pgettext_lazy("detail", "category suggested"),
        "team": pgettext_lazy("detail", "visit team"), "terms": pgettext_lazy("detail", "terms"),
        "token": pgettext_lazy("detail", "token"), "version": pgettext_lazy("detail", "version"),
        "via": pgettext_lazy("detail", "received through"),
    })
    actions.register_keys({"failed": pgettext_lazy("detail", "items failed")})
    actions.register_lists({"answered", "failed", "items", "groups", "subtopics", "updated", "residents", "disputes",
                            "villages", "reports"})
    actions.register_values("mode", {"sync": pgettext_lazy("detail", "in the request"),
                                     "async": pgettext_lazy("detail", "in the background")})
