"""Read-mostly admin for the debate. Moderation goes through the moderation queue (it records
audit events); the admin is for looking things up."""

from django.contrib import admin
from django.http import HttpRequest

from deliberation.models import (
    Comment,
    CommentingSuspension,
    CommentRevision,
    Flag,
    Reaction,
    Workshop,
)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "cycle", "proposal", "author", "stance", "created_at", "is_hidden",
                    "deleted_at"]
    list_filter = ["is_hidden", "stance", "cycle"]
    list_select_related = ["cycle", "proposal", "author"]
    search_fields = ["body"]
    # Text and moderation go through the services (revision history, audit events).
    readonly_fields = ["cycle", "proposal", "parent", "depth", "author", "stance", "body",
                       "is_hidden", "hidden_reason", "hidden_at", "hidden_by", "deleted_at",
                       "edited_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "reason", "outcome", "created_at"]
    list_filter = ["outcome", "reason"]
    raw_id_fields = ["comment", "reporter", "resolved_by"]
    readonly_fields = ["outcome", "resolved_at", "resolved_by"]


@admin.register(CommentingSuspension)
class CommentingSuspensionAdmin(admin.ModelAdmin):
    list_display = ["user", "cycle", "ends_at", "lifted_at", "created_at"]
    raw_id_fields = ["user", "created_by", "lifted_by"]
    readonly_fields = ["lifted_at", "lifted_by"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["held_on", "place", "commune", "cycle", "attendance"]
    list_filter = ["cycle", "commune"]
    raw_id_fields = ["facilitator"]
    filter_horizontal = ["proposals"]


class _ReadOnly(admin.ModelAdmin):
    """Rows written only by the services: look them up, never edit them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CommentRevision)
class CommentRevisionAdmin(_ReadOnly):
    list_display = ["comment", "stance", "written_at", "replaced_at"]
    list_select_related = ["comment"]


@admin.register(Reaction)
class ReactionAdmin(_ReadOnly):
    list_display = ["comment", "user", "value", "created_at"]
    list_filter = ["value"]
    list_select_related = ["comment", "user"]
