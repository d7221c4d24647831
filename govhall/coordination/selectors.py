"""Readers of coordination's records, scoped to what the user may see."""
