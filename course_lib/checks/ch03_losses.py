"""Checkers for chapter ch03_losses (see course_lib.checks.core for the framework)."""

__all__ = []
