"""Bundle sections owned by one room each: models here, one field line in ``PolicyBundle``."""
