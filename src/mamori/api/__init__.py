"""The HTTP interface: FastAPI app under /api/v1, public pages mounted beside it."""
