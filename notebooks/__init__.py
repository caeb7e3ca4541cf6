"""Executed notebooks (a package only so that its conftest.py has its own name)."""
