from django.urls import path

from voting import views

app_name = "voting"
urlpatterns = [
    path("<slug:slug>/", views.ballot_cast, name="ballot"),
    path("<slug:slug>/recu/", views.receipt, name="receipt"),
    path("<slug:slug>/gestion/", views.manage, name="manage"),
    path("<slug:slug>/clore/", views.close, name="close"),
    path("<slug:slug>/depouiller/", views.tally, name="tally"),
    path("<slug:slug>/certifier/", views.certify, name="certify"),
]
