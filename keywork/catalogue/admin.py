from django.contrib import admin

from keywork.catalogue.models import CatalogueVersion, Entry, Phase, Tier
from keywork.core.admin_base import ReadOnlyAdmin


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "order", "in_sequence", "version", "retired_at")


@admin.register(Tier)
class TierAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "competence", "version", "retired_at")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "kind", "tier", "psychosocial", "structured", "retired_at")
    list_filter = ("kind", "tier", "psychosocial", "structured", "group", "phases")
    search_fields = ("code", "name")


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "loaded_at", "added", "updated", "retired", "checksum")
