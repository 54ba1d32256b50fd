"""Administration: units, departments, officers, routing rules and the working-day calendar,
so an administrator can set up a new commune without touching the database."""
