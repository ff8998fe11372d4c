from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "trunkshow.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Messages appear on the customer's timeline: customers never imports messaging.
        from trunkshow.customers.merging import register_carrier
        from trunkshow.messaging import timeline  # noqa: F401
        from trunkshow.messaging.merging import conversations_merge

        register_carrier("messaging.Conversation", "customer", conversations_merge)

        from trunkshow.customers.privacy import register_personal_data
        from trunkshow.messaging.privacy import conversations_erase, conversations_export, conversations_preview

        register_personal_data("conversations", conversations_export, conversations_erase, conversations_preview)

        # The customer's page shows which of their numbers opted out, by the outbox's own rule, and
        # why "Message" can start nothing (no address, all opted out) before anyone taps it.
        from trunkshow.customers.opt_outs import register_message_block, register_opt_outs
        from trunkshow.messaging.selectors import opt_outs_for
        from trunkshow.messaging.starting import message_blocked

        register_opt_outs(
            "messaging",
            lambda store, addresses: {key: o.at for key, o in opt_outs_for(store=store, addresses=addresses).items()},
        )
        register_message_block(
            "messaging",
            lambda store, customer, phones, emails: message_blocked(
                store=store, customer=customer, phones=phones, emails=emails
            ),
        )
