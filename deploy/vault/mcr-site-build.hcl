# mcr-site-build: the role of the job that builds the internal site (`mcr build`).
#
# It opens sealed values, so it reads case keys, and does nothing else: it cannot create a key,
# list which cases have one, overwrite, delete or shred one, or read the shred records.
# KV version 2 at mount `secret`, prefix `mcr` (MCR_KEYSTORE=vault:secret/mcr).

path "secret/data/mcr/keys/*" {
  capabilities = ["read"]
}
