from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:cycle_slug>/", views.cycle_page, name="cycle"),
    path("<slug:cycle_slug>/<str:filename>", views.download, name="file"),
]
