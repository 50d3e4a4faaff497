"""Services of the surveys app: the functions that write (HackSoft style), one module per concern:
survey (drafts, submission), org (org import), answers (historical answers import), cycles."""
