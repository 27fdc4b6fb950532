"""rehabplan: safe rehab and return-to-running plans for runners with knee pain."""

__version__ = "0.1.0"

__all__ = ["__version__"]
