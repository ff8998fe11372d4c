from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "trunkshow.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Messages appear on the customer's timeline: customers never imports messaging.
        from trunkshow.customers.merging import register_carrier
        from trunkshow.messaging import timeline  # noqa: F401
        from trunkshow.messaging.services import conversations_merge

        register_carrier("messaging.Conversation", "customer", conversations_merge)

        from trunkshow.customers.privacy import register_personal_data
        from trunkshow.messaging.privacy import conversations_erase, conversations_export, conversations_preview

        register_personal_data("conversations", conversations_export, conversations_erase, conversations_preview)
