"""The email channel: outbound through Django's backend (``adapter``), inbound raw MIME (``inbound``)."""

from trunkshow.messaging.channels.email.adapter import EmailAdapter, email_headers, message_id_domain

__all__ = ["EmailAdapter", "email_headers", "message_id_domain"]
