"""Builders of test inputs shared by several test modules (made by code, never binary fixtures)."""
