"""Budget cycles, their envelopes and their dated phases."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from budgets.policy import PhaseKind as PolicyPhaseKind
from territory.models import Commune


class BallotKind(models.TextChoices):
    """What the voter is asked; values match ``budgets.allocation.types.BallotKind``."""

    APPROVAL = "approval", _("Approbation (nombre de choix limité)")
    KNAPSACK = "knapsack", _("Panier (coût total plafonné par l’enveloppe)")
    CHOOSE_1 = "choose-1", _("Un seul projet par enveloppe")
    CUMULATIVE = "cumulative", _("Points à répartir")
    ORDINAL = "ordinal", _("Classement")
    SCORING = "scoring", _("Notes")


class Verification(models.TextChoices):
    NONE = "none", _("Aucune : tout habitant inscrit d’une commune du budget")
    ANY = "any", _("Une vérification, quelle qu’en soit la forme")
    CODE = "code", _("Code de vote reçu par courrier")
    IN_PERSON = "in_person", _("Vérification en personne par un animateur")
    LIST = "list", _("Inscription sur la liste des votants")


class Rule(models.TextChoices):
    """Allocation rules; values are the engine's names (``budgets.allocation.engine.RULES``)."""

    GREEDY = "greedy", _("Glouton par nombre de voix")
    GREEDY_NO_SKIP = "greedy-no-skip", _("Glouton par nombre de voix, arrêt au premier projet trop cher")
    GREEDY_COST = "greedy-cost", _("Glouton par voix par euro")
    MES = "mes", _("Méthode des parts égales")
    MES_ADD1 = "mes-add1", _("Méthode des parts égales, complétée")
    PHRAGMEN = "phragmen", _("Phragmén séquentiel")
    MAX_WELFARE = "max-welfare", _("Satisfaction totale maximale")


class Add1Stop(models.TextChoices):
    EXHAUSTIVE = "exhaustive", _("S’arrêter dès que l’enveloppe ne peut plus rien financer (pabutools)")
    OVERSPEND = "overspend", _("Continuer jusqu’au pas qui dépasserait l’enveloppe (equalshares.net)")


class UtilityChoice(models.TextChoices):
    DEFAULT = "", _("Selon le type de bulletin")
    COST = "cost", _("Au coût (un euro financé compte pour un euro)")
    CARDINALITY = "cardinality", _("Au nombre de projets")


class PhaseKind(models.TextChoices):
    INFORMATION = PolicyPhaseKind.INFORMATION.value, _("Information")
    SUBMISSION = PolicyPhaseKind.SUBMISSION.value, _("Dépôt des propositions")
    REVIEW = PolicyPhaseKind.REVIEW.value, _("Analyse de faisabilité")
    DELIBERATION = PolicyPhaseKind.DELIBERATION.value, _("Débat et soutiens")
    VOTING = PolicyPhaseKind.VOTING.value, _("Vote")
    RESULTS = PolicyPhaseKind.RESULTS.value, _("Dépouillement et résultats")
    IMPLEMENTATION = PolicyPhaseKind.IMPLEMENTATION.value, _("Réalisation")


class BudgetCycle(models.Model):
    """One participatory budget ("Budget participatif GPV 2027")."""

    name = models.CharField(_("nom"), max_length=160)
    slug = models.SlugField(unique=True)
    description = models.TextField(_("présentation"), blank=True)
    ballot_kind = models.CharField(
        _("type de bulletin"), max_length=16, choices=BallotKind.choices, default=BallotKind.APPROVAL
    )
    min_choices = models.PositiveSmallIntegerField(
        _("nombre minimal de choix par enveloppe"), default=0,
        help_text=_("0 : un électeur peut ne rien choisir dans une enveloppe."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("nombre maximal de choix par enveloppe"), default=5,
        help_text=_("Approbation, panier et notes : nombre de projets ; classement : longueur."),
    )
    max_points_total = models.PositiveSmallIntegerField(
        _("points à répartir par enveloppe"), default=10, help_text=_("Bulletin à points."),
    )
    max_points_per_project = models.PositiveSmallIntegerField(
        _("points maximum par projet"), default=5, help_text=_("Bulletin à points."),
    )
    score_max = models.PositiveSmallIntegerField(
        _("note maximale"), default=5, help_text=_("Bulletin à notes (de 1 à la note maximale)."),
    )
    knapsack_floor_percent = models.PositiveSmallIntegerField(
        _("part minimale de l’enveloppe à dépenser (%)"), default=0,
        help_text=_("Bulletin panier : 0 pour aucune exigence."),
    )
    minimum_age = models.PositiveSmallIntegerField(_("âge minimum pour voter"), default=0)
    required_verification = models.CharField(
        _("vérification exigée pour voter"), max_length=12, choices=Verification.choices,
        default=Verification.NONE,
    )
    unverified_may_comment = models.BooleanField(
        _("les comptes non vérifiés peuvent commenter"), default=True,
    )
    rule = models.CharField(_("règle d’attribution"), max_length=16, choices=Rule.choices,
                            default=Rule.GREEDY)
    add1_stop = models.CharField(
        _("complétion des parts égales"), max_length=12, choices=Add1Stop.choices,
        default=Add1Stop.EXHAUSTIVE, help_text=_("Pour la méthode des parts égales complétée."),
    )
    greedy_fill = models.BooleanField(
        _("compléter par un glouton"), default=False,
        help_text=_("Méthode des parts égales : financer ensuite, par voix, ce qui tient encore."),
    )
    utility = models.CharField(_("mesure de la satisfaction"), max_length=12, blank=True,
                               choices=UtilityChoice.choices, default=UtilityChoice.DEFAULT)
    threshold_percent = models.PositiveSmallIntegerField(
        _("seuil de voix (% des votants)"), default=0,
        help_text=_("Un projet soutenu par moins de ce pourcentage des votants n’est pas financé. 0 : aucun."),
    )
    supports_threshold = models.PositiveIntegerField(
        _("soutiens requis pour être soumis au vote"), default=0,
        help_text=_("Une proposition recevable qui réunit moins de soutiens n’est pas retenue "
                    "pour le vote. 0 : toutes les propositions recevables sont soumises au vote."),
    )
    certification_quorum = models.PositiveSmallIntegerField(
        _("signatures requises pour certifier"), default=1
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cycle de budget participatif")
        verbose_name_plural = _("cycles de budget participatif")
        permissions = [
            ("moderate_cycle", "Peut modérer les contributions du cycle"),
            ("certify_results", "Membre du comité de suivi : peut certifier les résultats"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="cycle_max_choices_positive"),
            models.CheckConstraint(condition=Q(min_choices__lte=F("max_choices")),
                                   name="cycle_min_choices_le_max"),
            models.CheckConstraint(condition=Q(knapsack_floor_percent__lte=100),
                                   name="cycle_floor_is_a_percentage"),
            models.CheckConstraint(condition=Q(threshold_percent__lte=100),
                                   name="cycle_threshold_is_a_percentage"),
            models.CheckConstraint(condition=Q(certification_quorum__gte=1), name="cycle_quorum_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Envelope(models.Model):
    """Money set aside for one commune, or for the whole territory (``commune`` empty)."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="envelopes")
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="envelopes")
    name = models.CharField(_("nom"), max_length=160)
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    rule = models.CharField(_("règle d’attribution propre"), max_length=16, blank=True,
                            choices=Rule.choices, help_text=_("Vide : la règle du cycle."))

    class Meta:
        ordering = ["cycle", F("commune__name").asc(nulls_last=True)]
        verbose_name = _("enveloppe")
        verbose_name_plural = _("enveloppes")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=0), name="envelope_amount_nonnegative"),
            models.UniqueConstraint(fields=["cycle", "commune"], name="envelope_one_per_commune"),
            models.UniqueConstraint(fields=["cycle"], condition=Q(commune__isnull=True),
                                    name="envelope_one_territory_wide"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territory_wide(self) -> bool:
        return self.commune_id is None

    @property
    def effective_rule(self) -> str:
        return self.rule or self.cycle.rule


class Phase(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=16, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["cycle", "starts_at"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="phase_dates_ordered"),
            models.UniqueConstraint(fields=["cycle", "kind"], name="phase_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.cycle})"
