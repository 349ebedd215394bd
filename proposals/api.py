"""Proposals API: list (filters, search, sort) and submit in a cycle, read, edit, submit a
draft, attachments, co-authors, take into review, review, merge, supports, ballot draw-up.

Every write calls ``proposals.services``; the phase and role checks, and the field checks
with their French messages, live there. Drafts are visible only to their authors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.models import BudgetCycle, Envelope
from config.api import PinsAPIView, PinsViewSet, error_responses, get_or_404
from proposals import selectors, services
from proposals.models import (
    Attachment,
    Category,
    Proposal,
    ProposalStatus,
    ReviewDecision,
)
from proposals.rendering import render_markdown
from proposals.selectors import MAX_SEED, Sort
from proposals.services import MAX_COST_CENTS, review_proposal, submit_proposal
from territory.models import Commune, District


class ProposalOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    cycle = serializers.CharField(source="cycle.slug")
    envelope = serializers.IntegerField(source="envelope_id")
    envelope_name = serializers.CharField(source="envelope.name")
    title = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField(help_text="Texte Markdown tel que saisi.")
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField(source="get_category_display")
    commune = serializers.CharField(source="commune.slug")
    district = serializers.IntegerField(source="district_id", allow_null=True)
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    estimated_cost_cents = serializers.IntegerField()
    validated_cost_cents = serializers.IntegerField(allow_null=True)
    cost_cents = serializers.IntegerField(help_text="Coût qui compte : validé, sinon estimé.")
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    public_reason = serializers.CharField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    author_name = serializers.CharField(source="author.public_name")
    support_count = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class AttachmentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="« image » ou « pdf ».")
    content_type = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="Taille en octets.")
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Attachment) -> str:
        return reverse("proposals:attachment", kwargs={"pk": obj.proposal_id,
                                                       "attachment_id": obj.pk})


class CoAuthorOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")


class ProposalDetailOut(ProposalOut):
    description_html = serializers.SerializerMethodField(
        help_text="La description rendue en HTML nettoyé.")
    co_authors = CoAuthorOut(many=True, source="co_author_list")
    attachments = AttachmentOut(many=True, source="attachment_list")

    def get_description_html(self, obj: Proposal) -> str:
        return render_markdown(obj.description)


class ProposalFilterIn(serializers.Serializer[Any]):
    commune = serializers.SlugField(required=False, help_text="Slug de la commune (ex. cenon).")
    district = serializers.IntegerField(required=False, min_value=1,
                                        help_text="Identifiant du quartier.")
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    status = serializers.ChoiceField(
        choices=[c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT],
        required=False)
    q = serializers.CharField(required=False, max_length=100,
                              help_text="Mots cherchés dans le titre, le résumé, la description.")
    sort = serializers.ChoiceField(choices=[s.value for s in Sort], required=False,
                                   help_text="Par défaut : titre.")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SEED,
                                    help_text="Graine du tri « hasard » (même graine, même ordre).")
    mine = serializers.BooleanField(
        required=False, default=False,
        help_text="true : seulement mes propositions et celles dont je suis co-auteur, "
                  "brouillons compris (les autres filtres ne s’appliquent pas).")


class ProposalContentIn(serializers.Serializer[Any]):
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    title = serializers.CharField(min_length=1, max_length=140)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    description = serializers.CharField(min_length=1, max_length=5000,
                                        help_text="Markdown (le HTML brut n’est pas interprété).")
    category = serializers.ChoiceField(choices=Category.choices)
    commune = serializers.SlugRelatedField(slug_field="slug", queryset=Commune.objects.all())
    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True, default=None
    )
    estimated_cost_cents = serializers.IntegerField(
        min_value=1, max_value=MAX_COST_CENTS, help_text="Coût estimé en centimes d’euro."
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=6, min_value=-90,
                                        max_value=90, required=False, allow_null=True,
                                        default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180,
                                         max_value=180, required=False, allow_null=True,
                                         default=None)


class ProposalSubmitIn(ProposalContentIn):
    draft = serializers.BooleanField(
        required=False, default=False,
        help_text="true : brouillon privé, à déposer ensuite (POST …/submit/).")


class ProposalEditIn(ProposalContentIn):
    """Every field optional (PATCH): only those given change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ReviewIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    validated_cost_cents = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=MAX_COST_CENTS,
        help_text="Obligatoire si la proposition est recevable.",
    )
    public_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000,
        help_text="Obligatoire si la proposition n’est pas recevable.",
    )


class ReviewOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    validated_cost_cents = serializers.IntegerField(allow_null=True)
    public_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    proposal = ProposalOut()


class MergeIn(serializers.Serializer[Any]):
    target = serializers.IntegerField(min_value=1, help_text="La proposition qui reste.")


class CoAuthorIn(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class AttachmentIn(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Image JPEG, PNG, WebP ou PDF, 5 Mo au plus.")


class SupportOut(serializers.Serializer[Any]):
    supported = serializers.BooleanField(help_text="Vous soutenez la proposition.")
    support_count = serializers.IntegerField()


class DrawUpOut(serializers.Serializer[Any]):
    on_ballot = serializers.IntegerField(help_text="Propositions soumises au vote.")
    not_retained = serializers.IntegerField(help_text="Propositions non retenues.")


def proposals_queryset() -> QuerySet[Proposal]:
    """With every relation ``ProposalOut`` reads (``public_name`` reads the author's commune)."""
    return Proposal.objects.select_related("cycle", "envelope", "commune", "author__commune")


def get_cycle_or_404(slug: str) -> BudgetCycle:
    return get_or_404(BudgetCycle.objects.all(), _("Ce budget participatif n’existe pas."),
                      slug=slug)


def detail(proposal: Proposal) -> dict[str, Any]:
    """The full representation of one proposal, read afresh."""
    fresh = proposals_queryset().get(pk=proposal.pk)
    extras = selectors.detail_extras(fresh)
    fresh.co_author_list = extras["co_authors"]  # type: ignore[attr-defined]
    fresh.attachment_list = extras["attachments"]  # type: ignore[attr-defined]
    fresh.support_count = extras["support_count"]  # type: ignore[attr-defined]
    return dict(ProposalDetailOut(fresh).data)


@extend_schema_view(
    get=extend_schema(
        summary="Lister les propositions d’un budget", parameters=[ProposalFilterIn],
        tags=["Propositions"],
        description="Public (sans les brouillons). Filtres : commune (slug), quartier, thème, "
                    "statut ; recherche plein texte (q) ; tri : titre (défaut), recent, "
                    "soutiens, debattues, hasard (avec seed). mine=true : mes propositions, "
                    "brouillons compris (vide pour un visiteur anonyme).",
        responses={200: ProposalOut(many=True), **error_responses(400, 404)},
    ),
    post=extend_schema(
        summary="Déposer une proposition ou un brouillon (phase de dépôt)",
        request=ProposalSubmitIn, tags=["Propositions"],
        description="Habitant connecté, pendant la phase de dépôt. Coût estimé en centimes, "
                    "au plus le montant de l’enveloppe choisie (celle de la commune ou "
                    "l’enveloppe territoriale). Description en Markdown.",
        responses={201: ProposalOut, **error_responses(400, 401, 403, 404, 409, 429)},
    ),
)
class CycleProposalsView(PinsAPIView):
    """GET/POST /api/v1/cycles/{slug}/proposals/."""

    serializer_class = ProposalOut

    def get(self, request: Request, slug: str) -> Response:
        cycle = get_cycle_or_404(slug)
        filters = ProposalFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if data["mine"]:
            mine = selectors.my_proposals(cycle=cycle, user=request.user)
            page = self.paginate_queryset(mine)
            return self.get_paginated_response(ProposalOut(page, many=True).data)
        commune = Commune.objects.filter(slug=data["commune"]).first() \
            if "commune" in data else None
        district = District.objects.filter(pk=data["district"]).first() \
            if "district" in data else None
        queryset = selectors.list_proposals(
            cycle=cycle, commune=commune, district=district, category=data.get("category", ""),
            status=data.get("status", ""), query=data.get("q", ""),
            sort=data.get("sort", Sort.TITLE), seed=data.get("seed", 0),
        )
        if ("commune" in data and commune is None) or ("district" in data and district is None):
            queryset = queryset.none()  # an unknown commune or district matches nothing
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProposalOut(page, many=True).data)

    def post(self, request: Request, slug: str) -> Response:
        cycle = get_cycle_or_404(slug)
        data = ProposalSubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        as_draft = values.pop("draft")
        proposal = submit_proposal(author=request.user, cycle=cycle, as_draft=as_draft, **values)
        return Response(ProposalOut(proposals_queryset().get(pk=proposal.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Établir la liste soumise au vote (seuil de soutiens)", request=None,
    tags=["Propositions"],
    description="Administrateur, pendant la phase de débat et de soutiens. Chaque proposition "
                "recevable qui a au moins le seuil de soutiens du budget est soumise au vote, "
                "les autres ne sont pas retenues.",
    responses={200: DrawUpOut, **error_responses(400, 401, 403, 404, 409, 429)},
)
class CycleDrawUpView(PinsAPIView):
    """POST /api/v1/cycles/{slug}/proposals/draw-up/."""

    serializer_class = DrawUpOut

    def post(self, request: Request, slug: str) -> Response:
        cycle = get_cycle_or_404(slug)
        on, out = services.draw_up_ballot(actor=request.user, cycle=cycle)
        return Response({"on_ballot": on, "not_retained": out})


def not_found() -> NotFound:
    return NotFound(_("Cette proposition n’existe pas."))


@extend_schema_view(
    retrieve=extend_schema(summary="Une proposition", tags=["Propositions"],
                           description="Public ; un brouillon n’est visible que de ses auteurs.",
                           responses={200: ProposalDetailOut, **error_responses(404)}),
    partial_update=extend_schema(
        summary="Modifier une proposition (auteurs, phase de dépôt)", request=ProposalEditIn,
        tags=["Propositions"],
        description="Auteur ou co-auteur, pendant la phase de dépôt, tant que l’analyse n’a pas "
                    "commencé. Seuls les champs envoyés changent.",
        responses={200: ProposalDetailOut, **error_responses(400, 401, 403, 404, 409, 429)}),
)
class ProposalViewSet(mixins.RetrieveModelMixin, PinsViewSet):
    """GET/PATCH /api/v1/proposals/{id}/ and its actions."""

    serializer_class = ProposalDetailOut
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposals_queryset()

    def get_object(self) -> Proposal:
        proposal = get_or_404(self.get_queryset(), str(not_found().detail),
                              pk=self.kwargs["pk"])
        if not selectors.visible_to(proposal, self.request.user):
            raise not_found()
        return proposal

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(detail(self.get_object()))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposal = self.get_object()
        data = ProposalEditIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.edit_proposal(editor=request.user, proposal=proposal, **data.validated_data)
        return Response(detail(proposal))

    @extend_schema(summary="Déposer un brouillon", request=None, tags=["Propositions"],
                   description="Auteur ou co-auteur, pendant la phase de dépôt.",
                   responses={200: ProposalDetailOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        proposal = services.submit_draft(author=request.user, proposal=self.get_object())
        return Response(detail(proposal))

    @extend_schema(
        summary="Analyse de faisabilité (services de la commune)", request=ReviewIn,
        tags=["Propositions"],
        description="Instructeur de la commune de la proposition, pendant le dépôt ou "
                    "l’analyse. « feasible » exige le coût validé ; « unfeasible » exige un "
                    "motif public.",
        responses={201: OpenApiResponse(ReviewOut),
                   **error_responses(400, 401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_proposal(reviewer=request.user, proposal=proposal, **data.validated_data)
        review.proposal = self.get_object()
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Prendre en charge l’analyse", request=None, tags=["Propositions"],
                   description="Instructeur de la commune, pendant le dépôt ou l’analyse : la "
                               "proposition déposée passe « en cours d’analyse ».",
                   responses={200: ProposalDetailOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        proposal = services.take_into_review(reviewer=request.user, proposal=self.get_object())
        return Response(detail(proposal))

    @extend_schema(summary="Fusionner avec une autre proposition", request=MergeIn,
                   tags=["Propositions"],
                   description="Instructeur des deux communes, pendant le dépôt ou l’analyse. "
                               "Cette proposition est rattachée à « target » : ses auteurs en "
                               "deviennent co-auteurs, ses soutiens et commentaires y passent.",
                   responses={200: ProposalDetailOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        duplicate = self.get_object()
        data = MergeIn(data=request.data)
        data.is_valid(raise_exception=True)
        target = get_or_404(proposals_queryset(), str(not_found().detail),
                            pk=data.validated_data["target"])
        if not selectors.visible_to(target, request.user):
            raise not_found()
        services.merge_proposals(reviewer=request.user, duplicate=duplicate, target=target)
        return Response(detail(target))

    @extend_schema(methods=["POST"], summary="Soutenir une proposition", request=None,
                   tags=["Propositions"],
                   description="Habitant connecté, pendant la phase de débat et de soutiens ; "
                               "un soutien par personne (un second appel ne change rien).",
                   responses={200: SupportOut, **error_responses(400, 401, 403, 404, 409, 429)})
    @extend_schema(methods=["DELETE"], summary="Retirer son soutien", request=None,
                   tags=["Propositions"],
                   description="Pendant la phase de débat et de soutiens.",
                   responses={200: SupportOut, **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post", "delete"])
    def support(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        if request.method == "DELETE":
            services.withdraw_support(user=request.user, proposal=proposal)
        else:
            services.support_proposal(user=request.user, proposal=proposal)
        return Response({"supported": bool(selectors.supported_ids(request.user, [proposal])),
                         "support_count": proposal.supports.count()})

    @extend_schema(summary="Ajouter un co-auteur", request=CoAuthorIn, tags=["Propositions"],
                   description="L’auteur, pendant la phase de dépôt ; la personne doit avoir "
                               "un compte avec cette adresse.",
                   responses={200: ProposalDetailOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post"], url_path="co-authors")
    def co_authors(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = CoAuthorIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.invite_co_author(author=request.user, proposal=proposal,
                                  email=data.validated_data["email"])
        return Response(detail(proposal))

    @extend_schema(summary="Retirer un co-auteur", request=None, tags=["Propositions"],
                   description="L’auteur, ou le co-auteur lui-même.",
                   responses={200: ProposalDetailOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["delete"], url_path=r"co-authors/(?P<user_id>[0-9]+)")
    def remove_co_author(self, request: Request, pk: str, user_id: str) -> Response:
        proposal = self.get_object()
        user = get_or_404(proposal.co_authors.all(), _("Cette personne n’est pas co-auteur."),
                          pk=user_id)
        services.remove_co_author(author=request.user, proposal=proposal, user=user)
        return Response(detail(proposal))

    @extend_schema(summary="Joindre une image ou un PDF", request={"multipart/form-data":
                                                                    AttachmentIn},
                   tags=["Propositions"],
                   description="Auteur ou co-auteur, pendant la phase de dépôt. Le type est "
                               "vérifié d’après le contenu ; 5 Mo au plus.",
                   responses={201: AttachmentOut,
                              **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str) -> Response:
        proposal = self.get_object()
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        attachment = services.add_attachment(
            editor=request.user, proposal=proposal,
            content=upload.read(services.MAX_ATTACHMENT_BYTES + 1), filename=upload.name or "")
        return Response(AttachmentOut(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Supprimer une pièce jointe", request=None, tags=["Propositions"],
                   description="Auteur ou co-auteur, pendant la phase de dépôt.",
                   responses={204: None, **error_responses(400, 401, 403, 404, 409, 429)})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def delete_attachment(self, request: Request, pk: str, attachment_id: str) -> Response:
        proposal = self.get_object()
        attachment = get_or_404(Attachment.objects.all(), _("Cette pièce jointe n’existe pas."),
                                pk=attachment_id, proposal=proposal)
        attachment.proposal = proposal
        services.delete_attachment(editor=request.user, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)
