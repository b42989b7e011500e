"""The county's own tables: categories, deadline rules and the holiday/调休 table. Appeals
themselves change only through the workflow (pages and API), never in the admin."""

from django.contrib import admin

from .models import Category, DeadlineRule, HolidayOverride


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "scheme", "default_unit_function", "is_active")
    list_filter = ("scheme", "level", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ("stage", "kind", "category", "urgency", "amount", "unit")
    list_filter = ("stage", "kind", "urgency")


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    ordering = ("-date",)
