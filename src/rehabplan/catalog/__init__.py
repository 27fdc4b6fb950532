"""The clinical data: protocols, shared rules and exercises, read from TOML and validated."""

from .loading import Catalog, default_root, load_catalog

__all__ = ["Catalog", "default_root", "load_catalog"]
