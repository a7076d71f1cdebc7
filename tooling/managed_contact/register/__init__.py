"""The register as it stands: one snapshot of policy data and case files, read and judged.

Reading (`loading` strict YAML with positions, `model` and `policy` the formats, `validation`
the boundary to pydantic), working out (`dates` calendar arithmetic, `lifecycle` each case's
state and its review, monitoring and deletion dates, `schedule` what is due) and judging (`rules`,
one module per family, collected by `check`). Imports nothing from change control, the site or
the command line.
"""
