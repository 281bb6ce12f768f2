"""keywork: keyworking and case management for adult drug and alcohol treatment services."""
