from django.urls import path

from implementation import views

app_name = "implementation"
urlpatterns = [
    path("rapports/<slug:cycle_slug>/communes/", views.reports_index, name="reports_index"),
    path("rapports/<slug:cycle_slug>/communes/<slug:commune_slug>/", views.commune_report,
         name="commune_report"),
    path("rapports/<slug:cycle_slug>/communes/<slug:commune_slug>/publier/",
         views.commune_report_publish, name="commune_report_publish"),
    path("rapports/<slug:cycle_slug>/communes/<slug:commune_slug>/brouillon.pdf",
         views.commune_report_draft_pdf, name="commune_report_draft_pdf"),
    path("rapports/<slug:cycle_slug>/communes/<slug:commune_slug>/v<int:version>-<slug:language>.pdf",
         views.commune_report_pdf, name="commune_report_pdf"),
    path("realisation/<slug:cycle_slug>/", views.tracking_cycle, name="tracking"),
    path("realisation/<slug:cycle_slug>/communes/<slug:commune_slug>/", views.tracking_commune,
         name="tracking_commune"),
    path("realisation/projets/<int:pk>/jalons/nouveau/", views.milestone_add, name="milestone_add"),
]
