from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Guide, NegativeListEntry, ServiceItem, Synonym, Theme


@admin.register(Synonym)
class SynonymAdmin(SimpleHistoryAdmin):
    """检索同义词 are kept by the district office here (社保 → 社会保险)."""

    list_display = ("word", "expansions")
    search_fields = ("word", "expansions")


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "order")


@admin.register(ServiceItem)
class ServiceItemAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "item_type", "department", "center", "is_active")
    list_filter = ("item_type", "center", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("center",)  # stationing goes through the negative-list rule (services.item_station)


@admin.register(Guide)
class GuideAdmin(SimpleHistoryAdmin):
    list_display = ("item", "version", "status", "published_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False  # guides are drafted and published through the services only


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(SimpleHistoryAdmin):
    list_display = ("item", "center", "reason", "approval", "is_active")

    def has_change_permission(self, request, obj=None):
        return False
