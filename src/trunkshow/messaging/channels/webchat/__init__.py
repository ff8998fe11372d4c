"""The web-chat widget: its script, its public JSON endpoints (CORS per store) and its visitor tokens."""
