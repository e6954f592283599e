"""Bundle sections that rooms add to the policy schema, one module each.

``mamori.policy.schema`` is imported first: it imports the sections at its end, once the base
types the sections build on (``Strict``, ``Text``, ``Ident``) exist.
"""

from mamori.policy import schema as _schema  # noqa: F401 - import order, see above
