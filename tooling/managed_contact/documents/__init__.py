"""What the register produces for people outside it: letters to the customer, the calendar
feed, the front-line export for the CRM, committee figures and the audit trail."""
