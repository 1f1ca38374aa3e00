"""The certification service: assessments, promotions, certificates, studios, leaders, training."""
