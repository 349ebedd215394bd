from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opendata.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Read-only: the files are built by ``opendata.store``, never edited by hand."""

    list_display = ("name", "cycle", "bundle", "size", "sha256", "created_at")
    list_filter = ("bundle",)
    exclude = ("content",)
    readonly_fields = ("cycle", "bundle", "key", "name", "position", "kind", "fmt", "media_type",
                       "envelope_pk", "envelope_name", "command", "sha256", "size", "created_at")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("content").select_related("cycle")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
