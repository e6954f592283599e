"""Cookies room: the tag/SDK inventory, browser consent records, GPC, the banner's data and the scanner."""
