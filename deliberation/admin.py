from django.contrib import admin

from deliberation.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "author", "created_at", "is_hidden"]
    list_filter = ["is_hidden"]
    search_fields = ["body"]
