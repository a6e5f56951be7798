"""Render stage: brand to fonts, colours and paragraph styles, shared by every layout."""
