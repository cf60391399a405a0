"""Widgets for the activations chapter (see _common for the rules)."""

__all__ = []
