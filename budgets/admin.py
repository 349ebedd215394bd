from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from budgets.models import BudgetCycle, Envelope, Phase


class EnvelopeInline(admin.TabularInline):
    model = Envelope
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(BudgetCycle)
class BudgetCycleAdmin(GuardedModelAdmin):
    list_display = ["name", "ballot_kind", "rule", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EnvelopeInline, PhaseInline]
