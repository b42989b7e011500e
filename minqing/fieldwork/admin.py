"""The county's field-work settings: quota rules and the default visit frequency (tags carry
their own, in the households admin). Field records change only through services.py (pages,
API, sync), never in the admin."""

from django.contrib import admin

from .models import QuotaRule, VisitPolicy


@admin.register(QuotaRule)
class QuotaRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "measure", "target", "period", "yellow_ratio", "is_active", "region")
    list_filter = ("measure", "period", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("region",)


@admin.register(VisitPolicy)
class VisitPolicyAdmin(admin.ModelAdmin):
    list_display = ("region", "default_visits_per_year")
    raw_id_fields = ("region",)
