"""Server-rendered pages: the public privacy centre and, later, the staff console."""
