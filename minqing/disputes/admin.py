"""The county's kinds of dispute are edited here. Disputes themselves change only through the
services (pages and API), never in the admin."""

from django.contrib import admin

from .models import DisputeKind


@admin.register(DisputeKind)
class DisputeKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category_code", "family", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("family", "is_active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a kind in use is retired (is_active), never removed
