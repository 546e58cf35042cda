"""The day's results, shared: outcomes published after review, commitments and their feed,
the day in figures, the feedback questionnaire after the day, and open data."""
