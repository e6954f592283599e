"""Public pages: one module per room (``<room>.py``, an ``APIRouter`` named ``router``).

Add a room's router to :data:`ROUTERS`; templates in ``templates/public/<room>/``, texts in the
catalog domain ``public_<room>``. The older public pages still live in ``mamori.web.routes``
(privacy notice, joint use, request forms, contact, incident statements) and are registered
from there by :func:`mamori.web.app.include_web`; each moves here as ``public/<room>.py`` when
the helper who owns it next changes it (move the module, its templates to ``public/<room>/``,
and its router from ``legacy`` in ``web/app.py`` to this tuple).
"""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: tuple[APIRouter, ...] = ()
