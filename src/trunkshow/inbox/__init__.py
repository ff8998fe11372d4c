"""The staff inbox: every channel in one queue, assignment, read state and response times."""
