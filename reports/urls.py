from django.urls import path

from reports import statistics_views, views

app_name = "reports"
urlpatterns = [
    path("<slug:cycle_slug>/resultats/", views.results_detail, name="results"),
    path("<slug:cycle_slug>/proces-verbal.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<slug:cycle_slug>/statistiques/", statistics_views.statistics_dashboard, name="statistics"),
]
