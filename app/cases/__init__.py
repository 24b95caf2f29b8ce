"""A case's states and every change it can go through (no blueprint: the
pages that call these live in youth/, screening/, programs/ and casework/)."""
