"""The Managed Contact register: case files, policy data and the rules that bind them."""

__version__ = "0.1.0"
