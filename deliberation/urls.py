"""Mounted under /debat/ (see config/urls.py)."""

from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("p/<int:pk>/commenter/", views.comment_create, name="comment"),
    path("c/<int:pk>/repondre/", views.comment_reply, name="reply"),
    path("c/<int:pk>/modifier/", views.comment_edit, name="edit"),
    path("c/<int:pk>/supprimer/", views.comment_delete, name="delete"),
    path("c/<int:pk>/historique/", views.comment_history, name="history"),
    path("c/<int:pk>/reagir/", views.comment_react, name="react"),
    path("c/<int:pk>/signaler/", views.comment_flag, name="flag"),
    path("c/<int:pk>/masquer/", views.comment_hide, name="hide"),
    path("c/<int:pk>/retablir/", views.comment_restore, name="restore"),
    path("c/<int:pk>/ecarter-signalements/", views.comment_dismiss_flags, name="dismiss_flags"),
    path("c/<int:pk>/suspendre-auteur/", views.comment_suspend_author, name="suspend_author"),
    path("suspensions/<int:pk>/lever/", views.suspension_lift, name="lift_suspension"),
    path("ateliers/<int:pk>/", views.workshop_detail, name="workshop"),
    path("ateliers/<int:pk>/modifier/", views.workshop_edit, name="workshop_edit"),
    path("<slug:cycle_slug>/", views.cycle_debate, name="cycle"),
    path("<slug:cycle_slug>/commenter/", views.cycle_comment_create, name="cycle_comment"),
    path("<slug:cycle_slug>/moderation/", views.moderation, name="moderation"),
    path("<slug:cycle_slug>/ateliers/nouveau/", views.workshop_create, name="workshop_create"),
]
