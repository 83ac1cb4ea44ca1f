"""Tests of alerts/."""
