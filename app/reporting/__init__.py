"""After the day: the report (PDF, Markdown, CSV) and certificates of attendance."""
