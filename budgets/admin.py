from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from guardian.admin import GuardedModelAdmin

from budgets.models import BudgetCycle, Envelope, Phase


class EnvelopeInline(admin.TabularInline):
    model = Envelope
    extra = 0


class PhaseInline(admin.TabularInline):
    """Read-only: the timeline changes only through ``budgets.services.set_timeline`` (its
    rules, the voting lock, the audit event), on the page /budgets/<cycle>/calendrier/."""

    model = Phase
    extra = 0
    fields = ("kind", "starts_at", "ends_at")
    readonly_fields = ("kind", "starts_at", "ends_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BudgetCycle)
class BudgetCycleAdmin(GuardedModelAdmin):
    list_display = ["name", "ballot_kind", "rule", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EnvelopeInline, PhaseInline]
