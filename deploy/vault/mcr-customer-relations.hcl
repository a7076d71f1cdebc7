# mcr-customer-relations: the role of the people who open, keep and close case files.
#
# They create a case's key, read it, list the cases that have one, and shred it: write the
# keyless shred record, then delete the key's metadata, which destroys every version.
# There is no `update` on keys: a key that exists is never overwritten, even without the
# check-and-set the tool sends, and no `delete` on data (a soft delete could be undone) or
# `destroy` of single versions: shredding is the one way a key goes.
# KV version 2 at mount `secret`, prefix `mcr` (MCR_KEYSTORE=vault:secret/mcr).

# Create a key (only where there is none), and read it.
path "secret/data/mcr/keys/*" {
  capabilities = ["create", "read"]
}

# List the cases that have a key.
path "secret/metadata/mcr/keys/" {
  capabilities = ["list"]
}

# Shred: deleting a key's metadata destroys all its versions.
path "secret/metadata/mcr/keys/*" {
  capabilities = ["delete"]
}

# The shred records: written once, read, listed. They hold a day, never a key.
path "secret/data/mcr/shredded/*" {
  capabilities = ["create", "read"]
}

path "secret/metadata/mcr/shredded/" {
  capabilities = ["list"]
}
