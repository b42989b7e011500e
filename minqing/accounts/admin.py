from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Pairing, Post, Unit, User, VisitTeam, VisitTeamMember


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    raw_id_fields = ("unit", "region")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_active", "is_superuser")
    inlines = [PostInline]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail names its actors


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "function", "region", "is_active")
    list_filter = ("kind", "function")
    search_fields = ("name",)
    raw_id_fields = ("region", "parent")

    def has_delete_permission(self, request, obj=None):
        return False


class MemberInline(admin.TabularInline):
    model = VisitTeamMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(VisitTeam)
class VisitTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "year")
    raw_id_fields = ("region", "villages")
    inlines = [MemberInline]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("cadre", "region", "household", "started_on", "ended_on")
    raw_id_fields = ("cadre", "region", "household")
