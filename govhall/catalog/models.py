"""Service items (政务服务事项), their versioned guides (办事指南) and the negative list."""
