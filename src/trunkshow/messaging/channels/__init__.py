"""Channel adapters: one small package per provider behind the interface in ``base``."""
