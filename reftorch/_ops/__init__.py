"""reftorch's operations, one concern per module (creation, shape, join, indexing,
pointwise, reduction, linalg). Each differentiable op is one ``Function`` subclass."""
