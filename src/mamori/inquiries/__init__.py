"""Contact centre: inquiries and complaints in four languages, on business hours."""
