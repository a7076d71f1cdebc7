"""The internal site: pages made from the register, added to a MkDocs (Material) build.

`pages` renders the register to Markdown and escaped HTML and knows nothing of MkDocs;
`mkdocs_plugin` is the thin adapter; `build` runs MkDocs; `reference` writes the rule catalogue.
Needs the `site` extra (mkdocs, mkdocs-material, jinja2): `pip install 'managed-contact[site]'`.
Built on `register` (and the change rules' catalogue); never imports the command line.
"""
