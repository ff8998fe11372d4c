from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "trunkshow.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Messages appear on the customer's timeline: customers never imports messaging.
        from trunkshow.messaging import timeline  # noqa: F401
