from django.contrib import admin

from .models import Region, VillageGroup


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "successor")

    def has_delete_permission(self, request, obj=None):
        return False  # divisions are abolished (merge/split), never deleted


@admin.register(VillageGroup)
class VillageGroupAdmin(admin.ModelAdmin):
    list_display = ("region", "number", "name")
    raw_id_fields = ("region",)
