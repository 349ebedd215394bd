"""Commune reports and milestones in the admin, read-only: they are written only through
``implementation.services`` (role, phase and audit event); a published report never changes."""

from django.contrib import admin

from implementation.models import CommuneReport, Milestone


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CommuneReport)
class CommuneReportAdmin(ReadOnlyAdmin):
    list_display = ["commune", "cycle", "version", "published_at", "published_by"]
    list_filter = ["cycle", "commune"]
    exclude = ["pdf_fr", "pdf_en"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "happened_on", "title", "progress", "recorded_by"]
    list_filter = ["proposal__cycle"]
