"""What the user sees of the results: layer styles, charts, print layouts and the season's time-enabled layer
definition."""
