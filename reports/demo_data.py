"""Demonstration data for ``manage.py demo``: plain lists and dicts, no code, no imports.

The territory is the Grand Projet de Ville (GPV) Rive Droite: Bassens, Cenon, Floirac and
Lormont. District names are real; the priority-area (QPV) flags and every population figure
are orders of magnitude for a demonstration, not official statistics. People, proposals and
comments are invented. Money is in cents.
"""

from typing import Any

DEMO_PASSWORD = "demo-PINS-2027"  # noqa: S105 - printed on purpose: demonstration accounts only
EMAIL_DOMAIN = "gpv.example.org"

POPULATION_SOURCE = "Ordre de grandeur, non officiel (données de démonstration)"

COMMUNES: list[dict[str, Any]] = [
    {"name": "Bassens", "slug": "bassens", "insee_code": "33032"},
    {"name": "Cenon", "slug": "cenon", "insee_code": "33119"},
    {"name": "Floirac", "slug": "floirac", "insee_code": "33167"},
    {"name": "Lormont", "slug": "lormont", "insee_code": "33249"},
]

# Population per age band (0-14, 15-29, 30-44, 45-59, 60-74, 75+): approximate.
DISTRICTS: list[dict[str, Any]] = [
    {"commune": "bassens", "name": "Meignan / Le Moura", "slug": "meignan-le-moura",
     "is_priority_area": True,
     "population": {"0-14": 600, "15-29": 550, "30-44": 480, "45-59": 430, "60-74": 300, "75+": 150}},
    {"commune": "bassens", "name": "Bassens Bourg", "slug": "bassens-bourg",
     "is_priority_area": False,
     "population": {"0-14": 610, "15-29": 650, "30-44": 680, "45-59": 720, "60-74": 580, "75+": 360}},
    {"commune": "bassens", "name": "Prévost", "slug": "prevost",
     "is_priority_area": False,
     "population": {"0-14": 260, "15-29": 270, "30-44": 280, "45-59": 300, "60-74": 240, "75+": 150}},
    {"commune": "cenon", "name": "Palmer", "slug": "palmer",
     "is_priority_area": True,
     "population": {"0-14": 1100, "15-29": 1010, "30-44": 870, "45-59": 780, "60-74": 550, "75+": 280}},
    {"commune": "cenon", "name": "Saraillère", "slug": "saraillere",
     "is_priority_area": True,
     "population": {"0-14": 740, "15-29": 680, "30-44": 590, "45-59": 530, "60-74": 370, "75+": 190}},
    {"commune": "cenon", "name": "8 mai 45", "slug": "8-mai-45",
     "is_priority_area": True,
     "population": {"0-14": 620, "15-29": 570, "30-44": 490, "45-59": 440, "60-74": 310, "75+": 160}},
    {"commune": "cenon", "name": "Le Bas Cenon", "slug": "bas-cenon",
     "is_priority_area": False,
     "population": {"0-14": 1560, "15-29": 1660, "30-44": 1750, "45-59": 1840, "60-74": 1470,
                    "75+": 920}},
    {"commune": "floirac", "name": "Dravemont", "slug": "dravemont",
     "is_priority_area": True,
     "population": {"0-14": 1010, "15-29": 920, "30-44": 800, "45-59": 710, "60-74": 500, "75+": 250}},
    {"commune": "floirac", "name": "La Cité du Midi", "slug": "cite-du-midi",
     "is_priority_area": False,
     "population": {"0-14": 510, "15-29": 540, "30-44": 570, "45-59": 600, "60-74": 480, "75+": 300}},
    {"commune": "floirac", "name": "Floirac Bourg", "slug": "floirac-bourg",
     "is_priority_area": False,
     "population": {"0-14": 1380, "15-29": 1460, "30-44": 1540, "45-59": 1620, "60-74": 1300,
                    "75+": 810}},
    {"commune": "lormont", "name": "Génicart", "slug": "genicart",
     "is_priority_area": True,
     "population": {"0-14": 1750, "15-29": 1610, "30-44": 1390, "45-59": 1240, "60-74": 880,
                    "75+": 440}},
    {"commune": "lormont", "name": "Carriet", "slug": "carriet",
     "is_priority_area": True,
     "population": {"0-14": 860, "15-29": 790, "30-44": 680, "45-59": 610, "60-74": 430, "75+": 220}},
    {"commune": "lormont", "name": "Alpilles-Vincennes", "slug": "alpilles-vincennes",
     "is_priority_area": True,
     "population": {"0-14": 980, "15-29": 900, "30-44": 780, "45-59": 700, "60-74": 490, "75+": 250}},
    {"commune": "lormont", "name": "Lormont Bourg", "slug": "lormont-bourg",
     "is_priority_area": False,
     "population": {"0-14": 1050, "15-29": 1120, "30-44": 1180, "45-59": 1240, "60-74": 990,
                    "75+": 620}},
]

CYCLE: dict[str, Any] = {
    "slug": "gpv-2027",
    "name": "Budget participatif GPV",
    "description": (
        "Un million d’euros d’investissements proposés et choisis par les habitantes et "
        "habitants de Bassens, Cenon, Floirac et Lormont : une enveloppe par commune et une "
        "enveloppe pour des projets qui profitent aux quatre communes. Chaque personne vote "
        "pour au plus cinq projets dans l’enveloppe de sa commune et cinq dans l’enveloppe "
        "commune au territoire."
    ),
    "ballot_kind": "approval",
    "max_choices": 5,
    "rule": "greedy",
    "certification_quorum": 2,
    "supports_threshold": 2,
}

# ``commune`` None: the territory-wide envelope.
ENVELOPES: list[dict[str, Any]] = [
    {"commune": "bassens", "name": "Enveloppe Bassens", "amount_cents": 150_000_00},
    {"commune": "cenon", "name": "Enveloppe Cenon", "amount_cents": 150_000_00},
    {"commune": "floirac", "name": "Enveloppe Floirac", "amount_cents": 150_000_00},
    {"commune": "lormont", "name": "Enveloppe Lormont", "amount_cents": 150_000_00},
    {"commune": None, "name": "Enveloppe Rive Droite (quatre communes)",
     "amount_cents": 400_000_00},
]

# Phase dates in days relative to today at midnight (local time): voting is open now.
PHASES: list[dict[str, Any]] = [
    {"kind": "submission", "start_day": -100, "end_day": -70},
    {"kind": "review", "start_day": -70, "end_day": -40},
    {"kind": "deliberation", "start_day": -40, "end_day": -4},
    {"kind": "voting", "start_day": -4, "end_day": 21},
    {"kind": "results", "start_day": 21, "end_day": 35},
    {"kind": "implementation", "start_day": 35, "end_day": 400},
]

# ``login`` is the local part of the e-mail address (``login@EMAIL_DOMAIN``).
RESIDENTS: list[dict[str, Any]] = [
    {"login": "awa.diallo", "display_name": "Awa D.", "commune": "cenon", "district": "palmer",
     "birth_date": "1986-07-16"},
    {"login": "julien.martin", "display_name": "Julien M.", "commune": "cenon",
     "district": "saraillere", "birth_date": "1999-02-19"},
    {"login": "fatima.benali", "display_name": "Fatima B.", "commune": "cenon",
     "district": "bas-cenon", "birth_date": "1961-09-11"},
    {"login": "kevin.nguyen", "display_name": "Kévin N.", "commune": "lormont",
     "district": "genicart", "birth_date": "2004-07-14"},
    {"login": "sophie.laurent", "display_name": "Sophie L.", "commune": "lormont",
     "district": "carriet", "birth_date": "1978-08-18"},
    {"login": "mamadou.sow", "display_name": "Mamadou S.", "commune": "lormont",
     "district": "lormont-bourg", "birth_date": "1953-01-13"},
    {"login": "ines.garcia", "display_name": "Inès G.", "commune": "floirac",
     "district": "dravemont", "birth_date": "1992-04-12"},
    {"login": "thomas.petit", "display_name": "Thomas P.", "commune": "floirac",
     "district": "cite-du-midi", "birth_date": "1970-09-10"},
    {"login": "nadia.haddad", "display_name": "Nadia H.", "commune": "floirac",
     "district": "floirac-bourg", "birth_date": "1983-04-13"},
    {"login": "lucas.moreau", "display_name": "Lucas M.", "commune": "bassens",
     "district": "meignan-le-moura", "birth_date": "2001-04-11"},
    {"login": "chantal.dubois", "display_name": "Chantal D.", "commune": "bassens",
     "district": "bassens-bourg", "birth_date": "1949-06-19"},
    {"login": "yanis.bouzid", "display_name": "Yanis B.", "commune": "bassens",
     "district": "prevost", "birth_date": "1995-07-15"},
]

# ``scope``: "cycle" for cycle roles, a list of commune slugs for commune roles.
STAFF: list[dict[str, Any]] = [
    {"login": "admin", "display_name": "Administration PINS", "label": "administrateur",
     "superuser": True, "roles": []},
    {"login": "moderation", "display_name": "Équipe de modération", "label": "modérateur",
     "roles": [{"role": "moderator", "scope": "cycle"}]},
    {"login": "instruction.bassens", "display_name": "Services techniques de Bassens",
     "label": "instructeur (Bassens)", "roles": [{"role": "reviewer", "scope": ["bassens"]}]},
    {"login": "instruction.cenon", "display_name": "Services techniques de Cenon",
     "label": "instructeur (Cenon)", "roles": [{"role": "reviewer", "scope": ["cenon"]}]},
    {"login": "instruction.floirac", "display_name": "Services techniques de Floirac",
     "label": "instructeur (Floirac)", "roles": [{"role": "reviewer", "scope": ["floirac"]}]},
    {"login": "instruction.lormont", "display_name": "Services techniques de Lormont",
     "label": "instructeur (Lormont)", "roles": [{"role": "reviewer", "scope": ["lormont"]}]},
    {"login": "animation", "display_name": "Animation des rencontres",
     "label": "animateur (quatre communes)",
     "roles": [{"role": "facilitator", "scope": ["bassens", "cenon", "floirac", "lormont"]}]},
    {"login": "comite.1", "display_name": "Comité de suivi (1)", "label": "membre du comité",
     "roles": [{"role": "committee", "scope": "cycle"}]},
    {"login": "comite.2", "display_name": "Comité de suivi (2)", "label": "membre du comité",
     "roles": [{"role": "committee", "scope": "cycle"}]},
    {"login": "publication", "display_name": "Publication des décisions",
     "label": "publication (quatre communes)",
     "roles": [{"role": "publisher", "scope": ["bassens", "cenon", "floirac", "lormont"]}]},
]

# ``envelope``: a commune slug, or None for the territory-wide envelope.
# ``status``: "feasible" (with ``validated_cost_cents``), "unfeasible" (with ``public_reason``),
# "submitted" (not reviewed yet) or "merged" (a duplicate, with the title it is merged into).
PROPOSALS: list[dict[str, Any]] = [
    # --- Cenon ---
    {"title": "Jardin partagé au pied des tours de Palmer", "author": "awa.diallo",
     "commune": "cenon", "district": "palmer", "envelope": "cenon", "category": "environment",
     "description": (
         "Transformer la pelouse inutilisée entre les tours en jardin partagé, avec des bacs "
         "surélevés accessibles aux personnes âgées. Un récupérateur d’eau de pluie et un abri "
         "à outils sont prévus. Le centre social est prêt à animer le jardin avec les familles."
     ),
     "estimated_cost_cents": 18_000_00, "status": "feasible", "validated_cost_cents": 21_500_00},
    {"title": "Aire de jeux inclusive au parc Palmer", "author": "awa.diallo",
     "commune": "cenon", "district": "palmer", "envelope": "cenon", "category": "youth",
     "description": (
         "Remplacer les jeux vieillissants du parc par une aire de jeux accessible aux enfants "
         "en situation de handicap : balançoire nacelle, sol souple, jeux sensoriels. Des bancs "
         "ombragés permettront aux parents de surveiller les enfants."
     ),
     "estimated_cost_cents": 85_000_00, "status": "feasible", "validated_cost_cents": 92_000_00},
    {"title": "Éclairage du cheminement entre la Saraillère et le tram", "author": "julien.martin",
     "commune": "cenon", "district": "saraillere", "envelope": "cenon",
     "category": "public_space",
     "description": (
         "Le chemin piéton qui descend vers l’arrêt de tram est plongé dans le noir l’hiver dès "
         "17 heures. Des candélabres à LED avec détection de présence rendraient le trajet plus "
         "sûr sans gaspiller d’énergie."
     ),
     "estimated_cost_cents": 40_000_00, "status": "feasible", "validated_cost_cents": 46_000_00},
    {"title": "Boîtes à livres dans les halls du 8 mai 45", "author": "fatima.benali",
     "commune": "cenon", "district": "8-mai-45", "envelope": "cenon", "category": "culture",
     "description": (
         "Installer quatre boîtes à livres en bois dans les halls d’immeubles, fabriquées avec "
         "le lycée professionnel. Les habitants déposent et empruntent librement les livres."
     ),
     "estimated_cost_cents": 3_000_00, "status": "feasible", "validated_cost_cents": 3_600_00},
    {"title": "Bancs et ombrières place du marché du Bas Cenon", "author": "fatima.benali",
     "commune": "cenon", "district": "bas-cenon", "envelope": "cenon",
     "category": "public_space",
     "description": (
         "La place du marché n’a ni ombre ni assise : les personnes âgées ne peuvent pas s’y "
         "reposer. Nous proposons six bancs et deux ombrières végétalisées. La place resterait "
         "libre pour les étals le jour du marché."
     ),
     "estimated_cost_cents": 35_000_00, "status": "feasible", "validated_cost_cents": 38_000_00},
    {"title": "Atelier vélo mobile pour les jeunes de Cenon", "author": "julien.martin",
     "commune": "cenon", "district": None, "envelope": "cenon", "category": "mobility",
     "description": (
         "Une remorque équipée d’outils et de pièces détachées, qui s’installe chaque semaine "
         "dans un quartier différent. Les jeunes apprennent à réparer leur vélo avec une "
         "association d’autoréparation."
     ),
     "estimated_cost_cents": 12_000_00, "status": "feasible", "validated_cost_cents": 12_000_00},
    {"title": "Terrain de basket 3x3 à la Saraillère", "author": "julien.martin",
     "commune": "cenon", "district": "saraillere", "envelope": "cenon", "category": "sport",
     "description": (
         "Rénover le plateau sportif abandonné derrière le gymnase pour en faire un terrain de "
         "basket 3x3 aux normes, avec un revêtement neuf et deux paniers. Le club local propose "
         "des créneaux d’initiation pour les filles."
     ),
     "estimated_cost_cents": 60_000_00, "status": "feasible", "validated_cost_cents": 64_000_00},
    {"title": "Patinoire temporaire l’hiver au Bas Cenon", "author": "fatima.benali",
     "commune": "cenon", "district": "bas-cenon", "envelope": "cenon", "category": "sport",
     "description": (
         "Installer chaque hiver une patinoire synthétique pendant les vacances de Noël, avec "
         "location de patins à petit prix."
     ),
     "estimated_cost_cents": 140_000_00, "status": "unfeasible",
     "public_reason": (
         "Une patinoire saisonnière est surtout une dépense de fonctionnement (location, "
         "montage, personnel chaque année) : le budget participatif ne finance que des "
         "investissements durables. Le service des sports étudiera une animation de Noël."
     )},
    {"title": "Fresque participative sur le mur du gymnase", "author": "awa.diallo",
     "commune": "cenon", "district": "palmer", "envelope": "cenon", "category": "culture",
     "description": (
         "Peindre le long mur gris du gymnase avec un artiste et les enfants du quartier. Les "
         "motifs seraient choisis lors d’ateliers ouverts à tous."
     ),
     "estimated_cost_cents": 9_000_00, "status": "submitted"},
    {"title": "Potager au pied des immeubles de Palmer", "author": "fatima.benali",
     "commune": "cenon", "district": "palmer", "envelope": "cenon", "category": "environment",
     "description": (
         "Des bacs de légumes et d’herbes aromatiques entre les tours de Palmer, entretenus par "
         "les voisins et les enfants du centre de loisirs."
     ),
     "estimated_cost_cents": 15_000_00, "status": "merged",
     "merged_into": "Jardin partagé au pied des tours de Palmer"},
    # --- Lormont ---
    {"title": "Parcours sportif dans le parc de l’Ermitage", "author": "mamadou.sow",
     "commune": "lormont", "district": "lormont-bourg", "envelope": "lormont",
     "category": "sport",
     "description": (
         "Dix agrès de plein air le long des allées du parc, adaptés à tous les âges, avec des "
         "panneaux qui expliquent les exercices. Un parcours pour garder la forme gratuitement."
     ),
     "estimated_cost_cents": 45_000_00, "status": "feasible", "validated_cost_cents": 48_000_00},
    {"title": "Composteurs collectifs à Génicart", "author": "kevin.nguyen",
     "commune": "lormont", "district": "genicart", "envelope": "lormont",
     "category": "environment",
     "description": (
         "Installer cinq composteurs partagés au pied des résidences, avec une formation de "
         "référents volontaires. Le compost servira aux jardinières du quartier."
     ),
     "estimated_cost_cents": 6_000_00, "status": "feasible", "validated_cost_cents": 7_500_00},
    {"title": "Local d’aide aux devoirs à Carriet", "author": "sophie.laurent",
     "commune": "lormont", "district": "carriet", "envelope": "lormont", "category": "youth",
     "description": (
         "Aménager un ancien local commercial en salle d’aide aux devoirs : isolation, mobilier, "
         "ordinateurs. Les associations du quartier assureraient l’accompagnement le soir et le "
         "mercredi."
     ),
     "estimated_cost_cents": 70_000_00, "status": "feasible", "validated_cost_cents": 78_000_00},
    {"title": "Passage piéton sécurisé devant l’école des Alpilles", "author": "sophie.laurent",
     "commune": "lormont", "district": "alpilles-vincennes", "envelope": "lormont",
     "category": "mobility",
     "description": (
         "Les voitures roulent vite devant l’école. Un plateau surélevé, un éclairage renforcé "
         "et des barrières protégeraient les enfants à l’entrée et à la sortie des classes."
     ),
     "estimated_cost_cents": 25_000_00, "status": "feasible", "validated_cost_cents": 27_000_00},
    {"title": "Verger urbain à Génicart", "author": "kevin.nguyen",
     "commune": "lormont", "district": "genicart", "envelope": "lormont",
     "category": "environment",
     "description": (
         "Planter une trentaine d’arbres fruitiers sur l’espace vert du boulevard, en "
         "libre cueillette. Les écoles participeraient à la plantation et au suivi."
     ),
     "estimated_cost_cents": 15_000_00, "status": "feasible", "validated_cost_cents": 16_500_00},
    {"title": "Bibliothèque de rue au Bois Fleuri", "author": "sophie.laurent",
     "commune": "lormont", "district": "alpilles-vincennes", "envelope": "lormont",
     "category": "culture",
     "description": (
         "Un meuble abrité et un coin lecture avec des assises sur la placette du Bois Fleuri. "
         "La médiathèque viendrait y lire des contes un samedi par mois."
     ),
     "estimated_cost_cents": 8_000_00, "status": "feasible", "validated_cost_cents": 8_000_00},
    {"title": "Navette fluviale gratuite vers Bordeaux", "author": "mamadou.sow",
     "commune": "lormont", "district": "lormont-bourg", "envelope": "lormont",
     "category": "mobility",
     "description": (
         "Une navette sur la Garonne entre le port de Lormont et les quais de Bordeaux, "
         "gratuite pour les habitants."
     ),
     "estimated_cost_cents": 150_000_00, "status": "unfeasible",
     "public_reason": (
         "Le transport fluvial relève de Bordeaux Métropole : la commune ne peut pas créer ce "
         "service, et son coût d’exploitation dépasse le budget participatif. La demande a été "
         "transmise à la Métropole."
     )},
    {"title": "Agrès de street workout à Carriet", "author": "kevin.nguyen",
     "commune": "lormont", "district": "carriet", "envelope": "lormont", "category": "sport",
     "description": (
         "Une structure de street workout (barres, espaliers, bancs) près du city-stade, pour "
         "que les jeunes s’entraînent sans abonnement."
     ),
     "estimated_cost_cents": 30_000_00, "status": "submitted"},
    {"title": "Fête de quartier annuelle à Lormont Bourg", "author": "mamadou.sow",
     "commune": "lormont", "district": "lormont-bourg", "envelope": "lormont",
     "category": "culture",
     "description": (
         "Financer chaque année une grande fête de quartier avec concerts, repas partagé et "
         "jeux pour les enfants."
     ),
     "estimated_cost_cents": 10_000_00, "status": "unfeasible",
     "public_reason": (
         "Une fête annuelle est une dépense de fonctionnement, que le budget participatif ne "
         "peut pas financer. Le service vie associative peut accompagner son organisation."
     )},
    # --- Floirac ---
    {"title": "Jeux d’eau au parc de Dravemont", "author": "ines.garcia",
     "commune": "floirac", "district": "dravemont", "envelope": "floirac", "category": "youth",
     "description": (
         "Des jets d’eau au sol, en circuit fermé, pour se rafraîchir pendant les canicules. Les "
         "familles sans voiture n’ont pas accès à la piscine l’été. L’eau est recyclée et le "
         "dispositif s’arrête automatiquement la nuit."
     ),
     "estimated_cost_cents": 95_000_00, "status": "feasible", "validated_cost_cents": 110_000_00},
    {"title": "Arceaux vélos près des écoles et des commerces", "author": "thomas.petit",
     "commune": "floirac", "district": None, "envelope": "floirac", "category": "mobility",
     "description": (
         "Installer quarante arceaux pour attacher les vélos devant les écoles, la médiathèque "
         "et les commerces du centre. Aujourd’hui les vélos sont accrochés aux grilles."
     ),
     "estimated_cost_cents": 8_000_00, "status": "feasible", "validated_cost_cents": 9_200_00},
    {"title": "Jardin pédagogique à la Cité du Midi", "author": "thomas.petit",
     "commune": "floirac", "district": "cite-du-midi", "envelope": "floirac",
     "category": "environment",
     "description": (
         "Un petit jardin clôturé près de l’école, avec potager, hôtel à insectes et mare. Les "
         "classes y feraient les sciences de la nature au printemps."
     ),
     "estimated_cost_cents": 14_000_00, "status": "feasible", "validated_cost_cents": 15_000_00},
    {"title": "Rénovation du city-stade de Dravemont", "author": "ines.garcia",
     "commune": "floirac", "district": "dravemont", "envelope": "floirac", "category": "sport",
     "description": (
         "Le city-stade a un sol abîmé et des filets déchirés. Nous demandons un nouveau "
         "revêtement, des filets et un éclairage jusqu’à 22 heures."
     ),
     "estimated_cost_cents": 55_000_00, "status": "feasible", "validated_cost_cents": 58_000_00},
    {"title": "Bancs et fontaines sur le chemin des coteaux", "author": "nadia.haddad",
     "commune": "floirac", "district": "floirac-bourg", "envelope": "floirac",
     "category": "public_space",
     "description": (
         "Le chemin qui monte du bourg vers les coteaux est raide et sans pause possible. Des "
         "bancs tous les deux cents mètres et deux fontaines d’eau potable aideraient les "
         "promeneurs âgés."
     ),
     "estimated_cost_cents": 22_000_00, "status": "feasible", "validated_cost_cents": 24_500_00},
    {"title": "Studio de répétition musicale pour les jeunes", "author": "nadia.haddad",
     "commune": "floirac", "district": "cite-du-midi", "envelope": "floirac",
     "category": "culture",
     "description": (
         "Insonoriser une salle de la maison des jeunes et l’équiper (batterie, amplis, table de "
         "mixage) pour que les groupes du quartier puissent répéter. Une réservation en ligne "
         "gérerait les créneaux."
     ),
     "estimated_cost_cents": 40_000_00, "status": "feasible", "validated_cost_cents": 43_000_00},
    {"title": "Téléphérique entre Floirac et Bordeaux", "author": "thomas.petit",
     "commune": "floirac", "district": "floirac-bourg", "envelope": "floirac",
     "category": "mobility",
     "description": (
         "Un téléphérique au-dessus de la Garonne pour rejoindre Bordeaux en quelques minutes "
         "sans passer par les ponts."
     ),
     "estimated_cost_cents": 150_000_00, "status": "unfeasible",
     "public_reason": (
         "Un transport par câble relève de Bordeaux Métropole et coûte plusieurs dizaines de "
         "millions d’euros : il dépasse à la fois les compétences de la commune et le montant "
         "du budget participatif."
     )},
    {"title": "Ruches pédagogiques près de l’Observatoire", "author": "nadia.haddad",
     "commune": "floirac", "district": "floirac-bourg", "envelope": "floirac",
     "category": "environment",
     "description": (
         "Trois ruches installées dans un enclos sécurisé, suivies par un apiculteur qui "
         "accueillerait les écoles. Le miel serait offert lors des fêtes de quartier."
     ),
     "estimated_cost_cents": 6_000_00, "status": "submitted"},
    # --- Bassens ---
    {"title": "Rénovation de l’aire de jeux du Moura", "author": "lucas.moreau",
     "commune": "bassens", "district": "meignan-le-moura", "envelope": "bassens",
     "category": "youth",
     "description": (
         "Les jeux du Moura datent des années 1990 et plusieurs sont fermés. Nous proposons de "
         "nouveaux jeux pour les 2-12 ans, un sol souple et une clôture basse."
     ),
     "estimated_cost_cents": 55_000_00, "status": "feasible", "validated_cost_cents": 62_000_00},
    {"title": "Plantation d’arbres d’ombre rue du Moura", "author": "lucas.moreau",
     "commune": "bassens", "district": "meignan-le-moura", "envelope": "bassens",
     "category": "environment",
     "description": (
         "Planter vingt arbres le long de la rue, côté trottoir, pour faire de l’ombre l’été et "
         "réduire la chaleur dans les logements. Des essences locales résistantes à la "
         "sécheresse sont proposées."
     ),
     "estimated_cost_cents": 20_000_00, "status": "feasible", "validated_cost_cents": 23_000_00},
    {"title": "Tables de pique-nique au parc de Séguinaud", "author": "chantal.dubois",
     "commune": "bassens", "district": "bassens-bourg", "envelope": "bassens",
     "category": "public_space",
     "description": (
         "Six tables de pique-nique, dont deux accessibles en fauteuil roulant, près de "
         "l’entrée du parc. Les familles pourraient y déjeuner le week-end."
     ),
     "estimated_cost_cents": 9_000_00, "status": "feasible", "validated_cost_cents": 10_500_00},
    {"title": "Abri vélos sécurisé à la gare de Bassens", "author": "yanis.bouzid",
     "commune": "bassens", "district": "bassens-bourg", "envelope": "bassens",
     "category": "mobility",
     "description": (
         "Un abri fermé par badge pour trente vélos, à côté de la gare. Beaucoup d’habitants "
         "iraient à la gare à vélo s’ils ne craignaient pas le vol."
     ),
     "estimated_cost_cents": 18_000_00, "status": "feasible", "validated_cost_cents": 21_000_00},
    {"title": "Terrain de pétanque éclairé à Prévost", "author": "yanis.bouzid",
     "commune": "bassens", "district": "prevost", "envelope": "bassens", "category": "sport",
     "description": (
         "Un terrain de pétanque stabilisé avec deux lampadaires, pour jouer les soirs d’été. "
         "C’est un lieu de rencontre entre générations."
     ),
     "estimated_cost_cents": 12_000_00, "status": "feasible", "validated_cost_cents": 13_000_00},
    {"title": "Espace numérique solidaire au Moura", "author": "chantal.dubois",
     "commune": "bassens", "district": "meignan-le-moura", "envelope": "bassens",
     "category": "solidarity",
     "description": (
         "Équiper une salle de six ordinateurs et d’une imprimante, avec un médiateur numérique "
         "deux après-midi par semaine. Beaucoup de démarches administratives se font en ligne "
         "et certains habitants restent sans aide."
     ),
     "estimated_cost_cents": 25_000_00, "status": "feasible", "validated_cost_cents": 27_500_00},
    {"title": "Mur d’escalade au gymnase de Bassens", "author": "lucas.moreau",
     "commune": "bassens", "district": "bassens-bourg", "envelope": "bassens",
     "category": "sport",
     "description": (
         "Un mur d’escalade de sept mètres dans le gymnase, utilisable par les écoles et le "
         "club omnisports."
     ),
     "estimated_cost_cents": 70_000_00, "status": "submitted"},
    # --- Territory-wide (the four communes) ---
    {"title": "Une boucle vélo reliant les quatre communes", "author": "thomas.petit",
     "commune": "floirac", "district": None, "envelope": None, "category": "mobility",
     "description": (
         "Jalonner et sécuriser une boucle cyclable de Bassens à Floirac par Lormont et Cenon, "
         "en reliant les pistes existantes. Panneaux directionnels, marquage au sol et "
         "traitement des points dangereux aux carrefours."
     ),
     "estimated_cost_cents": 180_000_00, "status": "feasible",
     "validated_cost_cents": 175_000_00},
    {"title": "Planter mille arbres sur les coteaux", "author": "sophie.laurent",
     "commune": "lormont", "district": None, "envelope": None, "category": "environment",
     "description": (
         "Une grande opération de plantation avec les écoles et les habitants des quatre "
         "communes, sur les terrains publics des coteaux. Les essences seraient choisies avec "
         "les services espaces verts."
     ),
     "estimated_cost_cents": 120_000_00, "status": "feasible",
     "validated_cost_cents": 130_000_00},
    {"title": "Scène mobile pour les fêtes des quatre communes", "author": "nadia.haddad",
     "commune": "floirac", "district": None, "envelope": None, "category": "culture",
     "description": (
         "Une scène démontable avec sonorisation, prêtée à tour de rôle aux associations des "
         "quatre communes. Elle éviterait de louer du matériel à chaque fête."
     ),
     "estimated_cost_cents": 65_000_00, "status": "feasible", "validated_cost_cents": 70_000_00},
    {"title": "Signalétique des chemins du parc des Coteaux", "author": "mamadou.sow",
     "commune": "lormont", "district": None, "envelope": None, "category": "public_space",
     "description": (
         "Des panneaux et des tables d’orientation le long des sentiers qui relient les parcs "
         "des coteaux, avec les temps de marche et les points de vue."
     ),
     "estimated_cost_cents": 30_000_00, "status": "feasible", "validated_cost_cents": 34_000_00},
    {"title": "Fontaines d’eau potable dans les grands parcs", "author": "chantal.dubois",
     "commune": "bassens", "district": None, "envelope": None, "category": "public_space",
     "description": (
         "Installer une fontaine à boire dans chacun des grands parcs du territoire. Les "
         "canicules sont plus fréquentes et l’eau gratuite manque aux promeneurs."
     ),
     "estimated_cost_cents": 45_000_00, "status": "feasible", "validated_cost_cents": 48_000_00},
    {"title": "Bus itinérant d’accès aux droits", "author": "fatima.benali",
     "commune": "cenon", "district": None, "envelope": None, "category": "solidarity",
     "description": (
         "Aménager un minibus en bureau mobile (ordinateurs, connexion, confidentialité) pour "
         "aider aux démarches administratives au pied des immeubles. Les permanences seraient "
         "tenues par les associations et les centres sociaux des quatre communes."
     ),
     "estimated_cost_cents": 90_000_00, "status": "feasible", "validated_cost_cents": 95_000_00},
    {"title": "Matériel sportif partagé pour les tournois inter-quartiers",
     "author": "kevin.nguyen",
     "commune": "lormont", "district": None, "envelope": None, "category": "sport",
     "description": (
         "Des buts mobiles, des chasubles, des ballons et une remorque pour organiser des "
         "tournois entre les quartiers des quatre communes. Le matériel serait géré par les "
         "services des sports à tour de rôle."
     ),
     "estimated_cost_cents": 25_000_00, "status": "feasible", "validated_cost_cents": 25_000_00},
    {"title": "Prairies fleuries et refuges à insectes", "author": "yanis.bouzid",
     "commune": "bassens", "district": None, "envelope": None, "category": "environment",
     "description": (
         "Semer des prairies fleuries sur les talus et les bords de route, et installer des "
         "refuges à insectes expliqués par des panneaux. Un geste simple pour la biodiversité."
     ),
     "estimated_cost_cents": 15_000_00, "status": "feasible", "validated_cost_cents": 16_000_00},
    {"title": "Caméras de vidéoprotection dans tous les parcs", "author": "julien.martin",
     "commune": "cenon", "district": None, "envelope": None, "category": "public_space",
     "description": (
         "Installer des caméras à l’entrée de chaque parc pour limiter les dégradations."
     ),
     "estimated_cost_cents": 160_000_00, "status": "unfeasible",
     "public_reason": (
         "La vidéoprotection est soumise à une autorisation préfectorale et relève de la police "
         "municipale de chaque commune : elle ne peut pas être décidée par un vote du budget "
         "participatif."
     )},
]

# ``stance``: for / against / neutral; ``parent``: the body of the comment replied to.
COMMENTS: list[dict[str, Any]] = [
    {"proposal": "Jardin partagé au pied des tours de Palmer", "author": "fatima.benali",
     "body": "Très bonne idée. Je peux donner des graines et des plants de tomates au printemps.", "stance": "for"},
    {"proposal": "Jardin partagé au pied des tours de Palmer", "author": "julien.martin",
     "body": "Qui s’occupera de l’arrosage pendant les vacances d’été ?", "stance": "neutral"},
    {"proposal": "Jardin partagé au pied des tours de Palmer", "author": "awa.diallo",
     "body": "Le centre social propose un planning partagé entre les familles inscrites, "
             "et le récupérateur d’eau limite la corvée.", "stance": "for",
     "parent": "Qui s’occupera de l’arrosage pendant les vacances d’été ?"},
    {"proposal": "Aire de jeux inclusive au parc Palmer", "author": "fatima.benali",
     "body": "Mon petit-fils est en fauteuil : il n’y a aucun jeu pour lui dans le quartier. "
             "Je soutiens.", "stance": "for"},
    {"proposal": "Éclairage du cheminement entre la Saraillère et le tram", "author": "awa.diallo",
     "body": "Indispensable, je fais ce trajet tous les soirs en rentrant du travail.", "stance": "for"},
    {"proposal": "Terrain de basket 3x3 à la Saraillère", "author": "awa.diallo",
     "body": "Pourquoi pas, mais il faudrait aussi penser aux plus petits autour du terrain.", "stance": "neutral"},
    {"proposal": "Bancs et ombrières place du marché du Bas Cenon", "author": "julien.martin",
     "body": "Les ombrières devront laisser passer les camions des commerçants le mardi.", "stance": "neutral"},
    {"proposal": "Composteurs collectifs à Génicart", "author": "sophie.laurent",
     "body": "À Carriet nous avons essayé : ça marche bien si deux ou trois voisins s’en "
             "occupent vraiment.", "stance": "for"},
    {"proposal": "Local d’aide aux devoirs à Carriet", "author": "kevin.nguyen",
     "body": "J’y serais allé volontiers quand j’étais au collège. Le soutien scolaire coûte "
             "trop cher pour beaucoup de familles.", "stance": "for"},
    {"proposal": "Local d’aide aux devoirs à Carriet", "author": "mamadou.sow",
     "body": "Je suis enseignant à la retraite, je veux bien donner un coup de main le mercredi.", "stance": "for"},
    {"proposal": "Passage piéton sécurisé devant l’école des Alpilles", "author": "mamadou.sow",
     "body": "Un radar pédagogique en plus serait utile, les voitures arrivent vite de la "
             "descente.", "stance": "for"},
    {"proposal": "Parcours sportif dans le parc de l’Ermitage", "author": "kevin.nguyen",
     "body": "Avec quelques barres de traction, ce serait parfait pour tout le monde.", "stance": "for"},
    {"proposal": "Jeux d’eau au parc de Dravemont", "author": "thomas.petit",
     "body": "Le coût me paraît élevé pour un équipement qui ne sert que l’été.", "stance": "against"},
    {"proposal": "Jeux d’eau au parc de Dravemont", "author": "ines.garcia",
     "body": "Les canicules durent de plus en plus longtemps, et c’est le seul endroit frais "
             "accessible à pied pour les enfants du quartier.", "stance": "for",
     "parent": "Le coût me paraît élevé pour un équipement qui ne sert que l’été."},
    {"proposal": "Studio de répétition musicale pour les jeunes", "author": "ines.garcia",
     "body": "Mon frère joue dans un groupe qui répète dans un garage : ce serait un vrai "
             "plus.", "stance": "for"},
    {"proposal": "Bancs et fontaines sur le chemin des coteaux", "author": "thomas.petit",
     "body": "Oui ! La montée est rude avec des courses.", "stance": "for"},
    {"proposal": "Rénovation de l’aire de jeux du Moura", "author": "chantal.dubois",
     "body": "Mes petits-enfants ne peuvent plus y jouer depuis deux ans. Il faut le faire.", "stance": "for"},
    {"proposal": "Abri vélos sécurisé à la gare de Bassens", "author": "lucas.moreau",
     "body": "On m’a volé deux vélos à la gare. Un abri fermé changerait tout.", "stance": "for"},
    {"proposal": "Espace numérique solidaire au Moura", "author": "yanis.bouzid",
     "body": "Je peux aider bénévolement : je travaille dans l’informatique.", "stance": "for"},
    {"proposal": "Une boucle vélo reliant les quatre communes", "author": "sophie.laurent",
     "body": "Il faudra traiter le carrefour de la Morlette, c’est le point le plus dangereux.", "stance": "neutral"},
    {"proposal": "Une boucle vélo reliant les quatre communes", "author": "yanis.bouzid",
     "body": "Enfin un projet qui relie les communes entre elles !", "stance": "for"},
    {"proposal": "Planter mille arbres sur les coteaux", "author": "lucas.moreau",
     "body": "Pensez à l’arrosage des jeunes arbres les deux premiers étés, sinon beaucoup "
             "mourront.", "stance": "neutral"},
    {"proposal": "Bus itinérant d’accès aux droits", "author": "chantal.dubois",
     "body": "Beaucoup de personnes âgées ne se déplacent plus jusqu’à la mairie. Ce bus irait "
             "vers elles.", "stance": "for"},
    {"proposal": "Caméras de vidéoprotection dans tous les parcs", "author": "ines.garcia",
     "body": "Je comprends le motif de refus. Un meilleur éclairage des parcs serait peut-être "
             "une piste.", "stance": "against"},
    {"proposal": "Fontaines d’eau potable dans les grands parcs", "author": "nadia.haddad",
     "body": "Et des gobelets réutilisables à la médiathèque pour aller avec ?", "stance": "neutral"},
]

# The cycle's general thread (no proposal).
CYCLE_COMMENTS: list[dict[str, Any]] = [
    {"author": "julien.martin", "stance": "neutral",
     "body": "Les projets non retenus cette année pourront-ils être redéposés l’an prochain ?"},
    {"author": "moderation", "stance": "neutral",
     "parent": "Les projets non retenus cette année pourront-ils être redéposés l’an prochain ?",
     "body": "Oui : chaque cycle repart de zéro, et les services gardent les analyses de "
             "faisabilité déjà faites."},
]

# In-person workshops, recorded by the facilitator; ``days_ago`` counts back from today.
WORKSHOPS: list[dict[str, Any]] = [
    {"commune": "cenon", "days_ago": 12, "place": "Centre social de Palmer", "attendance": 27,
     "minutes": "Présentation des propositions du quartier Palmer.\n\nLe jardin partagé a "
                "suscité beaucoup de questions sur l’arrosage en été : le centre social propose "
                "un planning entre familles. L’aire de jeux inclusive a fait l’unanimité.",
     "proposals": ["Jardin partagé au pied des tours de Palmer",
                   "Aire de jeux inclusive au parc Palmer"]},
    {"commune": "floirac", "days_ago": 5, "place": "Médiathèque M.270", "attendance": 14,
     "minutes": "Débat sur les jeux d’eau de Dravemont : coût jugé élevé par certains, "
                "mais seul lieu frais du quartier pendant les canicules.",
     "proposals": ["Jeux d’eau au parc de Dravemont"]},
]

# Supports given in the deliberation phase (login of each supporter). With the cycle's
# threshold of 2, the two proposals with a single support are not retained for the vote.
SUPPORTS: dict[str, list[str]] = {
    "Jardin partagé au pied des tours de Palmer": ["awa.diallo", "julien.martin"],
    "Aire de jeux inclusive au parc Palmer": ["awa.diallo", "fatima.benali"],
    "Éclairage du cheminement entre la Saraillère et le tram": ["awa.diallo", "julien.martin"],
    "Boîtes à livres dans les halls du 8 mai 45": ["awa.diallo", "fatima.benali"],
    "Bancs et ombrières place du marché du Bas Cenon": ["awa.diallo", "fatima.benali"],
    "Atelier vélo mobile pour les jeunes de Cenon": ["awa.diallo", "julien.martin"],
    "Terrain de basket 3x3 à la Saraillère": ["awa.diallo", "julien.martin"],
    "Parcours sportif dans le parc de l’Ermitage": ["kevin.nguyen", "mamadou.sow"],
    "Composteurs collectifs à Génicart": ["kevin.nguyen", "sophie.laurent"],
    "Local d’aide aux devoirs à Carriet": ["kevin.nguyen", "sophie.laurent"],
    "Passage piéton sécurisé devant l’école des Alpilles": ["kevin.nguyen", "sophie.laurent"],
    "Verger urbain à Génicart": ["kevin.nguyen", "sophie.laurent"],
    "Bibliothèque de rue au Bois Fleuri": ["kevin.nguyen", "sophie.laurent"],
    "Jeux d’eau au parc de Dravemont": ["ines.garcia", "thomas.petit"],
    "Arceaux vélos près des écoles et des commerces": ["ines.garcia", "thomas.petit"],
    "Jardin pédagogique à la Cité du Midi": ["ines.garcia", "thomas.petit"],
    "Rénovation du city-stade de Dravemont": ["ines.garcia", "thomas.petit"],
    "Bancs et fontaines sur le chemin des coteaux": ["nadia.haddad", "thomas.petit"],
    "Studio de répétition musicale pour les jeunes": ["ines.garcia", "nadia.haddad"],
    "Rénovation de l’aire de jeux du Moura": ["chantal.dubois", "lucas.moreau"],
    "Plantation d’arbres d’ombre rue du Moura": ["chantal.dubois", "lucas.moreau"],
    "Tables de pique-nique au parc de Séguinaud": ["chantal.dubois", "lucas.moreau"],
    "Abri vélos sécurisé à la gare de Bassens": ["lucas.moreau", "yanis.bouzid"],
    "Terrain de pétanque éclairé à Prévost": ["yanis.bouzid"],
    "Espace numérique solidaire au Moura": ["chantal.dubois", "lucas.moreau"],
    "Une boucle vélo reliant les quatre communes":
        ["julien.martin", "kevin.nguyen", "sophie.laurent", "thomas.petit"],
    "Planter mille arbres sur les coteaux":
        ["awa.diallo", "ines.garcia", "lucas.moreau", "sophie.laurent"],
    "Scène mobile pour les fêtes des quatre communes": ["nadia.haddad"],
    "Signalétique des chemins du parc des Coteaux": ["mamadou.sow", "thomas.petit"],
    "Fontaines d’eau potable dans les grands parcs": ["chantal.dubois", "fatima.benali"],
    "Bus itinérant d’accès aux droits": ["awa.diallo", "chantal.dubois", "fatima.benali"],
    "Matériel sportif partagé pour les tournois inter-quartiers": ["julien.martin", "kevin.nguyen"],
    "Prairies fleuries et refuges à insectes": ["ines.garcia", "yanis.bouzid"],
}

# Ballots cast through the voting service (titles of feasible proposals in the voter's
# envelopes: their commune's and the territory-wide one).
BALLOTS: list[dict[str, Any]] = [
    {"voter": "awa.diallo", "choices": [
        "Jardin partagé au pied des tours de Palmer", "Aire de jeux inclusive au parc Palmer",
        "Éclairage du cheminement entre la Saraillère et le tram",
        "Bus itinérant d’accès aux droits", "Planter mille arbres sur les coteaux"]},
    {"voter": "julien.martin", "choices": [
        "Terrain de basket 3x3 à la Saraillère",
        "Éclairage du cheminement entre la Saraillère et le tram",
        "Atelier vélo mobile pour les jeunes de Cenon",
        "Une boucle vélo reliant les quatre communes",
        "Matériel sportif partagé pour les tournois inter-quartiers"]},
    {"voter": "fatima.benali", "choices": [
        "Bancs et ombrières place du marché du Bas Cenon",
        "Aire de jeux inclusive au parc Palmer", "Boîtes à livres dans les halls du 8 mai 45",
        "Bus itinérant d’accès aux droits", "Fontaines d’eau potable dans les grands parcs"]},
    {"voter": "kevin.nguyen", "choices": [
        "Local d’aide aux devoirs à Carriet", "Parcours sportif dans le parc de l’Ermitage",
        "Composteurs collectifs à Génicart",
        "Matériel sportif partagé pour les tournois inter-quartiers",
        "Une boucle vélo reliant les quatre communes"]},
    {"voter": "sophie.laurent", "choices": [
        "Passage piéton sécurisé devant l’école des Alpilles",
        "Local d’aide aux devoirs à Carriet", "Bibliothèque de rue au Bois Fleuri",
        "Verger urbain à Génicart", "Planter mille arbres sur les coteaux",
        "Une boucle vélo reliant les quatre communes"]},
    {"voter": "ines.garcia", "choices": [
        "Jeux d’eau au parc de Dravemont", "Rénovation du city-stade de Dravemont",
        "Studio de répétition musicale pour les jeunes",
        "Prairies fleuries et refuges à insectes", "Planter mille arbres sur les coteaux"]},
    {"voter": "thomas.petit", "choices": [
        "Arceaux vélos près des écoles et des commerces", "Jardin pédagogique à la Cité du Midi",
        "Bancs et fontaines sur le chemin des coteaux",
        "Une boucle vélo reliant les quatre communes",
        "Signalétique des chemins du parc des Coteaux"]},
    {"voter": "lucas.moreau", "choices": [
        "Rénovation de l’aire de jeux du Moura", "Abri vélos sécurisé à la gare de Bassens",
        "Plantation d’arbres d’ombre rue du Moura", "Planter mille arbres sur les coteaux"]},
    {"voter": "chantal.dubois", "choices": [
        "Tables de pique-nique au parc de Séguinaud", "Espace numérique solidaire au Moura",
        "Rénovation de l’aire de jeux du Moura", "Bus itinérant d’accès aux droits",
        "Fontaines d’eau potable dans les grands parcs"]},
]
