"""Scheduling: a request and the clinical data into a dated plan of typed sessions (no words)."""

from .build import build_plan
from .plan import Plan, Week
from .request import PlanRequest, Unit
from .sessions import CheckKind, Intensity, Session, SessionKind

__all__ = ["CheckKind", "Intensity", "Plan", "PlanRequest", "Session", "SessionKind", "Unit", "Week", "build_plan"]
