"""Sealing: personal data encrypted inside the case file, one key per case, keys outside git.

`tokens` seals and opens one value; `keystore` (a directory) and `vault` (OpenBao or HashiCorp
Vault) keep the keys; `text` writes values back into YAML text without touching anything else.
Nothing here knows the case model: the register says which values are personal.
"""
