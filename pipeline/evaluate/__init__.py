"""Scoring predictions against gold, and the report; calls stages, never run/."""
