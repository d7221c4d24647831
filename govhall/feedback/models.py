"""Feedback: 好差评 ratings and their rectification, efficiency complaints,
the 办不成事 window and the 12345 hand-over. Sits above cases, staffing and
queueing and reaches them only through their selectors and extension points."""
