"""The staff review web app: read stored conversations, crisis ones first, with notes, tags and exports."""
