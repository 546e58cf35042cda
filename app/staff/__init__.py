"""Staff: accounts and invitations, sign-in and its throttling, roles."""
