"""Checkers for chapter ch00_numpy (see course_lib.checks.core for the framework)."""

__all__ = []
