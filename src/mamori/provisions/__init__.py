"""Third-party provision, receipts from other businesses, joint use, processors and foreign transfers."""
