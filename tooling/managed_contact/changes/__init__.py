"""Change control: a merge request judged against its target, and the signatures that approve it.

`git` is the only module that runs git; `revision` reads the register at a commit as strictly as
from disk; `signers` and `approvals` turn verified signatures and forge evidence into who
approved what; `check` runs the change rules over a `context.Change`, one module per family
(`evidence`, `new_cases`, `history`, `transitions`, `deletions`, `requirements`, `judging`,
`policy_changes`), each declaring the rules it owns, which `catalogue` assembles; `demo`
replays the demo register as signed commits. Built on `register`; imports neither the site nor
the command line.
"""
