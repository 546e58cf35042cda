"""E-mail: the outbox, its sender, announcements and reminders, the caught-mail viewer for development."""
