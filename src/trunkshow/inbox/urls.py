"""Pages of the inbox, under /inbox/."""

from django.urls import path

from trunkshow.inbox import pwa, views, views_sandbox, views_start

app_name = "inbox"
urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("events/", views.events, name="events"),
    path("mentions/", views.mentions, name="mentions"),
    path("mentions/nav/", views.mentions_nav, name="mentions_nav"),
    path("push/key/", pwa.push_key, name="push_key"),
    path("push/subscribe/", pwa.push_subscribe, name="push_subscribe"),
    path("start/<int:customer_id>/", views_start.conversation_start_page, name="start"),
    path("<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("<int:conversation_id>/messages/", views.thread_fragment, name="thread"),
    path("<int:conversation_id>/reply/", views.reply, name="reply"),
    path("<int:conversation_id>/status/", views.set_status, name="status"),
    path("<int:conversation_id>/assign/", views.assign, name="assign"),
    path("messages/<int:message_id>/retry/", views.retry, name="retry"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("attachments/<int:attachment_id>/thumb/", views.attachment, {"thumb": True}, name="attachment_thumb"),
    path("replies/", views.saved_replies, name="replies"),
    path("response-times/", views.response_times, name="response_times"),
    path("settings/", views.inbox_settings_page, name="settings"),
    path("sandbox/", views_sandbox.sandbox, name="sandbox"),
    path("replies/<int:reply_id>/", views.saved_replies, name="reply_edit"),
    path("replies/<int:reply_id>/delete/", views.saved_reply_delete, name="reply_delete"),
]
