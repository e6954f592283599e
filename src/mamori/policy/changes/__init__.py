"""Change classification: every difference between the version in force and a bundle, with its class.

Pure rules (no session, no I/O): :func:`mamori.policy.changes.classify.classify` takes two bundle
contents (the stored JSON of the version in force and the candidate) and returns one
:class:`~mamori.policy.changes.model.Classified` per change; :mod:`.dates` checks the effective
date; :mod:`.texts` says each rule in ja, en, zh-Hans and zh-Hant.
"""
