"""HR workspace pages."""
