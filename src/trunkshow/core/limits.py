"""Limits read both by the web server's command line (before Django is set up, so this module
imports nothing) and by the code behind it."""

from __future__ import annotations

# The largest websocket frame: uvicorn refuses bigger ones before reading them whole
# (``trunkshow web``), and the consumers close a socket that sends one.
WS_MAX_FRAME = 64 * 1024
