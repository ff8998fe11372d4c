from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "trunkshow.inbox"
    label = "inbox"

    def ready(self) -> None:
        from trunkshow.inbox import push, services
        from trunkshow.messaging import hooks

        hooks.on_inbound("inbox.assign", services.assign_on_inbound)
        hooks.on_inbound("inbox.out_of_hours", services.reply_out_of_hours)
        hooks.on_inbound("inbox.push", push.notify_inbound)
        hooks.on_note("inbox.mentions", services.notify_mentions)
        hooks.on_conversations_folded("inbox.fold", services.conversations_fold)
        hooks.on_response_target("inbox.target", lambda store: services.inbox_settings(store).response_target_minutes)
        hooks.on_response_clock("inbox.clock", lambda store, conversation: services.response_clock_from(conversation))
