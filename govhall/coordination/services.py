"""The rules of coordination between the district center and its halls: the only writers."""
