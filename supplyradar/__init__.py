"""supplyradar: supplier-risk and market monitoring for public procurement."""
__version__ = "0.1.0"
