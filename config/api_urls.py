"""Routes of the REST API under /api/v1/ (schema and docs are routed in config/urls.py)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from accounts.api import ObtainTokenView
from budgets.api import CyclePhaseCloseView, CycleTimelineView, CycleViewSet
from config.api import unknown_endpoint
from deliberation.api import (
    CommentDismissFlagsView,
    CommentFlagsView,
    CommentHideView,
    CommentReactionView,
    CommentRestoreView,
    CommentRevisionsView,
    CommentView,
    CycleCommentsView,
    CycleWorkshopsView,
    ModerationQueueView,
    ProposalCommentsView,
    SuspensionLiftView,
    SuspensionsView,
    WorkshopView,
)
from implementation.api import (
    CommuneReportPublishView,
    CommuneReportsView,
    CommuneReportView,
    CycleTrackingView,
    ProposalMilestonesView,
)
from proposals.api import CycleDrawUpView, CycleProposalsView, ProposalViewSet
from reports.api import CycleResultsPublishView, CycleResultsView
from voting.api import CycleBallotView

app_name = "api"

router = SimpleRouter()
router.register("cycles", CycleViewSet, basename="cycle")
router.register("proposals", ProposalViewSet, basename="proposal")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("cycles/<slug:slug>/proposals/", CycleProposalsView.as_view(), name="cycle-proposals"),
    path("cycles/<slug:slug>/proposals/draw-up/", CycleDrawUpView.as_view(),
         name="cycle-proposals-draw-up"),
    path("cycles/<slug:slug>/ballot/", CycleBallotView.as_view(), name="cycle-ballot"),
    path("cycles/<slug:slug>/results/", CycleResultsView.as_view(), name="cycle-results"),
    path("cycles/<slug:slug>/results/publish/", CycleResultsPublishView.as_view(),
         name="cycle-results-publish"),
    path("cycles/<slug:slug>/timeline/", CycleTimelineView.as_view(), name="cycle-timeline"),
    path("cycles/<slug:slug>/close-phase/", CyclePhaseCloseView.as_view(), name="cycle-close-phase"),
    path("proposals/<int:pk>/comments/", ProposalCommentsView.as_view(), name="proposal-comments"),
    path("cycles/<slug:slug>/comments/", CycleCommentsView.as_view(), name="cycle-comments"),
    path("cycles/<slug:slug>/moderation/", ModerationQueueView.as_view(), name="cycle-moderation"),
    path("cycles/<slug:slug>/suspensions/", SuspensionsView.as_view(), name="cycle-suspensions"),
    path("cycles/<slug:slug>/workshops/", CycleWorkshopsView.as_view(), name="cycle-workshops"),
    path("comments/<int:pk>/", CommentView.as_view(), name="comment"),
    path("comments/<int:pk>/revisions/", CommentRevisionsView.as_view(), name="comment-revisions"),
    path("comments/<int:pk>/reaction/", CommentReactionView.as_view(), name="comment-reaction"),
    path("comments/<int:pk>/flags/", CommentFlagsView.as_view(), name="comment-flags"),
    path("comments/<int:pk>/hide/", CommentHideView.as_view(), name="comment-hide"),
    path("comments/<int:pk>/restore/", CommentRestoreView.as_view(), name="comment-restore"),
    path("comments/<int:pk>/dismiss-flags/", CommentDismissFlagsView.as_view(),
         name="comment-dismiss-flags"),
    path("suspensions/<int:pk>/lift/", SuspensionLiftView.as_view(), name="suspension-lift"),
    path("workshops/<int:pk>/", WorkshopView.as_view(), name="workshop"),
    path("cycles/<slug:slug>/commune-reports/", CommuneReportsView.as_view(),
         name="cycle-commune-reports"),
    path("cycles/<slug:slug>/commune-reports/<slug:commune>/", CommuneReportView.as_view(),
         name="cycle-commune-report"),
    path("cycles/<slug:slug>/commune-reports/<slug:commune>/publish/",
         CommuneReportPublishView.as_view(), name="cycle-commune-report-publish"),
    path("cycles/<slug:slug>/implementation/", CycleTrackingView.as_view(),
         name="cycle-implementation"),
    path("proposals/<int:pk>/milestones/", ProposalMilestonesView.as_view(),
         name="proposal-milestones"),
    *router.urls,
    # Last: any other path under /api/v1/ answers a 404 in the API error shape, not HTML.
    re_path(r"^(?P<path>[\s\S]*)$", unknown_endpoint, name="unknown"),  # [\s\S]: a newline too
]
