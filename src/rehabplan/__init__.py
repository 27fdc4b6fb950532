"""rehabplan: safe rehab and return-to-running plans for runners with knee pain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rehabplan")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
