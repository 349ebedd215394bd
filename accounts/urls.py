from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("profil/", views.profile, name="profile"),
    path("mot-de-passe/oublie/", views.password_reset_view, name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.password_reset_done_view, name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.password_reset_confirm_view,
         name="password_reset_confirm"),
    path("mot-de-passe/nouveau/fait/", views.password_reset_complete_view,
         name="password_reset_complete"),
    path("mot-de-passe/changer/", views.password_change_view, name="password_change"),
    path("mot-de-passe/changer/fait/", views.password_change_done_view,
         name="password_change_done"),
]
