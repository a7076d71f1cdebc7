"""`mcr`, the command line: one module per command group, each a thin layer over one core call.

`main` is the group and its error handling; `report` renders results as text or JSON. Only this
package imports Click.
"""
