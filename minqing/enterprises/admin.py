"""Key enterprises and pairings, view-only: they change through services.py (pages, API), which
validate, encrypt the contact phone and write the audit event."""

from django.contrib import admin

from .models import Enterprise, LiaisonPairing


class ViewOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ViewOnly):
    list_display = ("name", "kind", "region", "sector", "contact_name", "phone_masked")
    list_filter = ("kind",)
    search_fields = ("name",)
    exclude = ("phone_enc", "phone_hash")


@admin.register(LiaisonPairing)
class LiaisonPairingAdmin(ViewOnly):
    list_display = ("enterprise", "leader", "started_on", "ended_on")
    raw_id_fields = ("enterprise", "leader")
