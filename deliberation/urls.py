"""Mounted under /propositions/ next to proposals.urls (see config/urls.py)."""

from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("p/<int:pk>/commenter/", views.comment_create, name="comment"),
]
