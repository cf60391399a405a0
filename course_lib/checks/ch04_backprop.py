"""Checkers for chapter ch04_backprop (see course_lib.checks.core for the framework)."""

__all__ = []
