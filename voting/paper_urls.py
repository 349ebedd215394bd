"""URLs of the paper channel, under /vote/<cycle slug>/rencontres/ (namespace voting:paper)."""

from django.urls import path

from voting import paper_views

app_name = "paper"
urlpatterns = [
    path("", paper_views.event_list, name="events"),
    path("<int:event_id>/", paper_views.event_detail, name="event"),
    path("<int:event_id>/registre/", paper_views.register_voter, name="register"),
    path("<int:event_id>/saisie/", paper_views.key_sheet, name="key"),
]
