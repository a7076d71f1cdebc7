"""Casework on sealed cases: editing, deletion, legal holds and subject access.

Each module is one thing Customer Relations does to a case, built on the register (to read and
judge it), sealing (its keys) and change control (its history in git). The CLI calls them.
"""
