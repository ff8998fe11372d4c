"""Conversations with customers on every channel, their messages, and the outbox that sends them."""
