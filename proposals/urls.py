from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("p/<int:pk>/", views.proposal_detail, name="detail"),
    path("p/<int:pk>/analyser/", views.proposal_review, name="review"),
    path("<slug:cycle_slug>/", views.proposal_list, name="list"),
    path("<slug:cycle_slug>/deposer/", views.proposal_submit, name="submit"),
    path("<slug:cycle_slug>/a-analyser/", views.review_queue, name="review_queue"),
]
