"""Running the assistant's processes locally (make run, the end-to-end tests)."""
