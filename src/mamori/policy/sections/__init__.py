"""Bundle sections kept in their own modules (each adds one field to ``PolicyBundle``).

Some sections build on the base types of :mod:`mamori.policy.schema`, which imports them at its
end; importing the schema first here lets either module be imported first.
"""

import mamori.policy.schema  # noqa: F401 - import order, see above
