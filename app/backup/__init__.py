"""Encrypted backups of the database (`flask backup create|restore|info`)."""
