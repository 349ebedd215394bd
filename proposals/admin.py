from django.contrib import admin

from proposals.models import Attachment, Proposal, Review, Support


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    readonly_fields = ["reviewer", "decision", "validated_cost_cents", "public_reason", "created_at"]
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = readonly_fields = ("original_name", "kind", "content_type", "size", "uploaded_by",
                                "created_at")
    can_delete = False


class SupportInline(admin.TabularInline):
    model = Support
    extra = 0
    fields = readonly_fields = ("user", "created_at")
    can_delete = False  # supports are given and withdrawn by residents only


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "commune", "envelope", "status", "estimated_cost_cents"]
    list_filter = ["cycle", "commune", "status", "category"]
    search_fields = ["title", "summary", "description"]
    inlines = [ReviewInline, AttachmentInline, SupportInline]
    raw_id_fields = ["author", "co_authors"]
    # Every move of the lifecycle goes through the site's services so that it is checked
    # against the transition table and audited: the admin shows them, it does not set them.
    readonly_fields = ["status", "validated_cost_cents", "public_reason", "merged_into",
                       "taken_by", "submitted_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # proposals are submitted through the site (phase and field checks)


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    """Read-only: supports are given and withdrawn by residents (unique per person)."""

    list_display = ["proposal", "user", "created_at"]
    list_select_related = ["proposal", "user"]
    readonly_fields = ["proposal", "user", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only listing; files are added through the site, where their content is checked."""

    list_display = ["original_name", "proposal", "kind", "size", "created_at"]
    list_select_related = ["proposal"]
    readonly_fields = ["proposal", "uploaded_by", "file", "kind", "content_type", "original_name",
                       "size", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
