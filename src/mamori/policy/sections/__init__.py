"""Bundle sections kept in their own modules (each adds one field to ``PolicyBundle``)."""
