"""Renderers: the plan as PDF, calendar and terminal text; they never read the clock or the catalog."""
