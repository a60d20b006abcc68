"""The billing page's reads: what the signed-in user's page shows, from the mirror."""
