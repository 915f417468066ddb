"""bulletin: static sites for party-committee office information bulletins."""

__version__ = "0.1.0"
