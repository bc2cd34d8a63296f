"""The site twin (beyond the paper): simulated sites with known clients, crowd areas to draw them in, and the
score of a map against that truth."""
