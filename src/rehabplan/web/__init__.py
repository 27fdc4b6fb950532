"""The self-hostable web page (``rehabplan serve``): install with ``pip install 'rehabplan[web]'``."""

from __future__ import annotations

from .clinic import Clinic, read_clinic
from .server import serve

__all__ = ["Clinic", "read_clinic", "serve"]
