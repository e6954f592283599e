"""Database plumbing shared by every room: base class, types, sessions and the unit of work."""
