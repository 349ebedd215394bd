from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = "Vote"

    def ready(self) -> None:
        from voting.cache import connect_signals

        connect_signals()  # saved cycles, phases, envelopes, proposals empty the cast cache
