"""The privacy centre: what the people whose data it is can see and do without an account.

Request status with a one-time code, the preferences centre behind an e-mailed sign-in link, and
the acknowledgements of what they sent. Every secret is kept only as a keyed hash.
"""
