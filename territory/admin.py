from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from territory.models import Commune, District, PopulationFigure


class DistrictInline(admin.TabularInline):
    model = District
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


@admin.register(Commune)
class CommuneAdmin(GuardedModelAdmin):
    list_display = ["name", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DistrictInline]


class PopulationInline(admin.TabularInline):
    model = PopulationFigure
    extra = 0


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "is_priority_area"]
    list_filter = ["commune", "is_priority_area"]
    inlines = [PopulationInline]
