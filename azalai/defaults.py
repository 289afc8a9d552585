"""The default scenario and policy, named once.

Every command, function and page that takes a scenario or a policy defaults to these: the built-in
scenario of northern and central Mali from mid-2016 (``azalai/scenario/builtin/``) and the policy
mix in force then (``azalai/policy/builtin/``).
"""

DEFAULT_SCENARIO = "mali-2016"
DEFAULT_POLICY = "baseline-2016"
