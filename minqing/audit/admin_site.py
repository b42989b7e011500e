"""The Django admin, audited like any other write and unable to hard-delete.

The operator's admin site wraps every ModelAdmin registered anywhere (so a new admin.py cannot
forget): each addition or change is an audit event in the same transaction as the write (the
admin's change view is atomic and logs inside it), naming the fields changed and their new values
(never a password); delete permission is removed from every model and inline, and the bulk
"delete selected" action is gone — records end by deactivation, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models

SECRET = ("password", "token", "secret", "_enc", "_hash")


def _value(obj: models.Model, name: str) -> Any:
    try:
        field = obj._meta.get_field(name)
    except Exception:  # a form-only field: named, not valued
        return "…"
    if field.many_to_many:
        return sorted(str(x) for x in getattr(obj, name).all()) if obj.pk else []
    value = getattr(obj, field.attname, None)
    return value if isinstance(value, bool | int | float | str | type(None)) else str(value)


def _fields(obj: models.Model, names: list[str], inlines: Any) -> dict[str, Any]:
    """The changed fields with their new values (secrets named, not valued), and the inline rows."""
    out: dict[str, Any] = {name: "（已更改）" if any(s in name for s in SECRET) else _value(obj, name)
                           for name in names}
    if inlines:
        out["inlines"] = [{verb: {k: str(v) for k, v in detail.items()}} for entry in inlines
                          for verb, detail in entry.items()]
    return out


class AuditedAdmin:
    """Mixed into every registered ModelAdmin by AuditedAdminSite."""

    def _audit(self, request, obj: models.Model, verb: str, changes: dict[str, Any]) -> None:
        from .log import record  # this module is loaded with the app registry, before the models

        record(f"admin.{obj._meta.label_lower}.{verb}", actor=request.user, obj=obj, changes=changes,
               reason="系统管理后台", ip=request.META.get("REMOTE_ADDR"))

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "created", {f.name: _value(obj, f.name) for f in obj._meta.concrete_fields
                                              if not any(s in f.name for s in SECRET)})
        return super().log_addition(request, obj, message)

    def construct_change_message(self, request, form, formsets, add=False):
        request._audit_changed = list(form.changed_data)  # names, not labels: log_change reads them
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        inlines = [e for e in message if "changed" not in e or "object" in e.get("changed", {})] \
            if isinstance(message, list) else []
        names = getattr(request, "_audit_changed", None)
        if names is None:  # a view without a change form (the password page): the message's field names
            names = [f for e in message if "object" not in e.get("changed", {"object": 1})
                     for f in e["changed"].get("fields", [])] if isinstance(message, list) else []
        self._audit(request, obj, "changed", _fields(obj, names, inlines))
        return super().log_change(request, obj, message)

    def has_delete_permission(self, request, obj=None):
        return False  # never hard-deleted: deactivate, end the post, close the pairing

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.has_delete_permission = lambda *args, **kwargs: False
        return inlines


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(f"Audited{base.__name__}", (AuditedAdmin, base), {"__module__": base.__module__})
        return super().register(model_or_iterable, base, **options)


class AuditedAdminConfig(AdminConfig):
    default_site = "minqing.audit.admin_site.AuditedAdminSite"
