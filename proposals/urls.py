from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("p/<int:pk>/", views.proposal_detail, name="detail"),
    path("p/<int:pk>/modifier/", views.proposal_edit, name="edit"),
    path("p/<int:pk>/deposer/", views.proposal_submit_draft, name="submit_draft"),
    path("p/<int:pk>/soutien/", views.proposal_support, name="support"),
    path("p/<int:pk>/pieces/", views.attachment_upload, name="attachment_upload"),
    path("p/<int:pk>/pieces/<int:attachment_id>/", views.attachment_download,
         name="attachment"),
    path("p/<int:pk>/pieces/<int:attachment_id>/supprimer/", views.attachment_delete,
         name="attachment_delete"),
    path("p/<int:pk>/co-auteurs/", views.co_author_invite, name="co_author_invite"),
    path("p/<int:pk>/co-auteurs/<int:user_id>/retirer/", views.co_author_remove,
         name="co_author_remove"),
    path("p/<int:pk>/analyser/", views.proposal_review, name="review"),
    path("p/<int:pk>/prendre-en-charge/", views.proposal_take, name="take"),
    path("p/<int:pk>/fusionner/", views.proposal_merge, name="merge"),
    path("<slug:cycle_slug>/", views.proposal_list, name="list"),
    path("<slug:cycle_slug>/deposer/", views.proposal_submit, name="submit"),
    path("<slug:cycle_slug>/mes-propositions/", views.my_proposals, name="mine"),
    path("<slug:cycle_slug>/a-analyser/", views.review_queue, name="review_queue"),
    path("<slug:cycle_slug>/liste-soumise-au-vote/", views.ballot_draw_up, name="draw_up"),
]
