"""The pure rules of certification: skill levels, assessment and contest promotion, the skill
ledger, certificate numbers, studio leaders and the year a fact counts in.

Nothing here imports a framework; only :mod:`shared.errors` and :mod:`shared.clock` come from
the kernel.
"""
