"""Top-level URLs: the site (translated interface), the admin, the API and its docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("", include("budgets.urls")),
    path("comptes/", include("accounts.urls")),
    path("propositions/", include("proposals.urls")),
    path("debat/", include("deliberation.urls")),
    path("vote/", include("voting.urls")),
    path("rapports/", include("reports.urls")),
    path("donnees-ouvertes/", include("opendata.urls")),
    path("", include("implementation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
