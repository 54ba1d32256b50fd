"""Case queue: working-day deadlines, routing and claiming."""
