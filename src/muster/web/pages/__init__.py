"""The pages, one module per role's part of the interface."""
