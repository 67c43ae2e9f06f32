"""Screens shown over the reader."""
