from django.urls import path

from budgets import views

app_name = "budgets"
urlpatterns = [
    path("", views.home, name="home"),
    path("budgets/<slug:slug>/", views.cycle_detail, name="cycle"),
    path("budgets/<slug:slug>/calendrier/", views.timeline_edit, name="timeline"),
    path("budgets/<slug:slug>/calendrier/clore/", views.phase_close, name="phase_close"),
]
