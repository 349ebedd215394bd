from django.contrib import admin

from proposals.models import Proposal, Review


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    readonly_fields = ["reviewer", "decision", "validated_cost_cents", "public_reason", "created_at"]
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "commune", "envelope", "status", "estimated_cost_cents"]
    list_filter = ["cycle", "commune", "status", "category"]
    search_fields = ["title", "description"]
    inlines = [ReviewInline]
    # Feasibility decisions go through the review page so that they are audited.
    readonly_fields = ["status", "validated_cost_cents", "public_reason"]
