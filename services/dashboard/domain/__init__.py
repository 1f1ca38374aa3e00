"""The pure rules of the dashboard: the plan's targets and their goals, the pace a target is
judged against, and the arithmetic of a target's answer.

Nothing here imports a framework; only :mod:`shared.regions` comes from the kernel.
"""
