"""Checks stage: health-literacy checks on content and preflight checks on finished PDFs."""
