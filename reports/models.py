"""Roll-up snapshot tables: what dashboards and exports read, never raw answers."""
