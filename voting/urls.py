from django.urls import include, path

from voting import eligibility_views, views

app_name = "voting"
urlpatterns = [
    path("<slug:slug>/", views.ballot_cast, name="ballot"),
    path("<slug:slug>/recu/", views.receipt, name="receipt"),
    path("<slug:slug>/gestion/", views.manage, name="manage"),
    path("<slug:slug>/clore/", views.close, name="close"),
    path("<slug:slug>/depouiller/", views.tally, name="tally"),
    path("<slug:slug>/certifier/", views.certify, name="certify"),
    path("<slug:slug>/rencontres/", include("voting.paper_urls")),
    path("<slug:slug>/verification/", eligibility_views.verify_me, name="verify_me"),
    path("<slug:slug>/codes/", eligibility_views.generate_codes, name="generate_codes"),
    path("<slug:slug>/liste-des-votants/", eligibility_views.import_list, name="import_list"),
    path("<slug:slug>/verifier-un-habitant/", eligibility_views.verify_resident, name="verify_resident"),
]
