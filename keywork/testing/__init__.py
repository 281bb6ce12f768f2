"""What the test suite builds on: the personas, and one record of every kind (the world)."""
