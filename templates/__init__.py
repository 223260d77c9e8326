"""splicer's templates (probe page, verify report, session-manager profiles), installed as splicer.templates."""
