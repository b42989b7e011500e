"""Checklist definitions, view-only: they change through services.py (POST /api/v1/checklists,
/versions) so that an answered version is never edited and every change is an audit event."""

from django.contrib import admin

from .models import Checklist, ChecklistItem, ChecklistVersion


class ViewOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ("position", "code", "label", "group", "answer_type", "pass_value", "comparison", "threshold", "unit",
              "choices", "passing_choices")
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Checklist)
class ChecklistAdmin(ViewOnly):
    list_display = ("code", "name", "tags", "is_active", "region")
    search_fields = ("code", "name")


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(ViewOnly):
    list_display = ("checklist", "number", "note", "created_at")
    inlines = [ItemInline]
