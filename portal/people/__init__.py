"""People: the LA administrator's and Virtual School's account administration screens
(the people of their authority, invitations, deactivation, two-step sign-in resets).

The rules (who administers which membership, when a whole account may be deactivated)
live in ``epep.accounts.services``; these screens only call them."""
