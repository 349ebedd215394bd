from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "implementation"
    verbose_name = "Réalisation et rapports des communes"
