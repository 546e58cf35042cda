"""The world café tables at work: facilitators' pages, and the synthesis for the projector."""
