"""Texts (SMS, MMS) and WhatsApp through Twilio: the adapter, the webhooks and their settings."""
