"""Japanese holidays, company closures, business hours and deadline arithmetic in Asia/Tokyo."""
