"""Checkers for chapter ch02_activations (see course_lib.checks.core for the framework)."""

__all__ = []
