"""What anyone may read without signing in: the published register of interests."""
