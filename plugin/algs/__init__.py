"""One thin QgsProcessingAlgorithm per tool of the paper."""
