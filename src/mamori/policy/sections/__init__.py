"""Bundle sections kept in their own modules (each adds one field to ``PolicyBundle``).

``mamori.policy.schema`` is imported first: sections that build on its base types (``Strict``,
``Text``, ``Ident``), such as ``datamap``, are imported at its end, once those types exist.
"""

from mamori.policy import schema as _schema  # noqa: F401 - import order, see above
