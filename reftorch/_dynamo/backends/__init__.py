"""``torch._dynamo.backends``: the registry of compiler backend names."""
