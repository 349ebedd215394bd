from django.urls import include, path

from voting import board_views, eligibility_views, views

app_name = "voting"
urlpatterns = [
    path("<slug:slug>/", views.ballot_cast, name="ballot"),
    path("<slug:slug>/recu/", views.receipt, name="receipt"),
    path("<slug:slug>/gestion/", views.manage, name="manage"),
    path("<slug:slug>/clore/", views.close, name="close"),
    path("<slug:slug>/depouiller/", views.tally, name="tally"),
    path("<slug:slug>/certifier/", views.certify, name="certify"),
    path("<slug:slug>/publier/", views.publish, name="publish"),
    path("<slug:slug>/rencontres/", include("voting.paper_urls")),
    path("<slug:slug>/registre/", board_views.board_page, name="board"),
    path("<slug:slug>/registre/journal.json", board_views.log_json, name="board_log"),
    path("<slug:slug>/registre/bulletins.json", board_views.ballots_json, name="board_ballots"),
    path("<slug:slug>/registre/enveloppe-<int:envelope_id>.pb", board_views.pabulib_file,
         name="board_pabulib"),
    path("<slug:slug>/verification/", eligibility_views.verify_me, name="verify_me"),
    path("<slug:slug>/codes/", eligibility_views.generate_codes, name="generate_codes"),
    path("<slug:slug>/liste-des-votants/", eligibility_views.import_list, name="import_list"),
    path("<slug:slug>/verifier-un-habitant/", eligibility_views.verify_resident, name="verify_resident"),
]
